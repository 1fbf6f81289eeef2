//! Headless Chromium for the tests that need a browser: the explorer's
//! own (`render/tests/explorer.rs`) and the differential test of the
//! simulator against the runtime (`workflows/tests/explorer_agrees.rs`,
//! which includes this file by path).
//!
//! Each test skips with one line where Chromium is not installed, and
//! fails instead when `TURNSTILE_REQUIRE_TOOLS` is set (as `.ci/run` does).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::browser::tab::point::Point;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Network, Page};
use headless_chrome::{Browser, LaunchOptions, Tab};

/// Chromium's path, or `None` after saying it is missing (a failure under
/// `TURNSTILE_REQUIRE_TOOLS`).
pub fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|b| dir.join(b)))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("TURNSTILE_REQUIRE_TOOLS").is_none(),
            "chromium is required (TURNSTILE_REQUIRE_TOOLS is set) but not installed"
        );
        eprintln!("chromium is not installed: skipped (.ci/run installs it)");
    }
    found
}

pub fn launch(path: PathBuf) -> Browser {
    launch_sized(path, (1400, 900))
}

/// Chromium with a window of `size` (width, height) in CSS pixels.
pub fn launch_sized(path: PathBuf, size: (u32, u32)) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--hide-scrollbars",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some(size))
        .idle_browser_timeout(Duration::from_secs(120))
        .args(args)
        .build()
        .expect("launch options");
    Browser::new(options).expect("Chromium starts")
}

/// [`watched_tab`] with a viewport of exactly `size` CSS pixels: headless
/// Chromium will not make its window narrower than 500 pixels, so a phone's
/// width is emulated (as a mobile viewport below 600 pixels).
pub fn sized_tab(browser: &Browser, (width, height): (u32, u32)) -> (Arc<Tab>, Arc<Mutex<Watch>>) {
    let (tab, watch) = watched_tab(browser);
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: Some(width),
        screen_height: Some(height),
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("Emulation.setDeviceMetricsOverride");
    (tab, watch)
}

/// Where the tests write pages and screenshots.
pub fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explorer");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What a page did that a test asserts it did not: requests it sent, the
/// dialogs it opened and the exceptions its script threw.
#[derive(Default)]
pub struct Watch {
    pub requests: Vec<String>,
    pub dialogs: Vec<String>,
    pub exceptions: Vec<String>,
}

/// A tab that reports every request, dialog and script exception.
pub fn watched_tab(browser: &Browser) -> (Arc<Tab>, Arc<Mutex<Watch>>) {
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(20));
    tab.set_slow_motion_multiplier(0.0);
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .expect("Network.enable");
    tab.enable_runtime().expect("Runtime.enable");
    tab.call_method(Page::Enable {
        enable_file_chooser_opened_event: None,
    })
    .expect("Page.enable");
    let watch = Arc::new(Mutex::new(Watch::default()));
    let seen = Arc::clone(&watch);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let mut seen = seen.lock().unwrap();
        match event {
            Event::NetworkRequestWillBeSent(e) => seen.requests.push(e.params.request.url.clone()),
            Event::PageJavascriptDialogOpening(e) => seen.dialogs.push(e.params.message.clone()),
            Event::RuntimeExceptionThrown(e) => seen
                .exceptions
                .push(format!("{:?}", e.params.exception_details)),
            _ => {}
        }
    }))
    .expect("a listener");
    (tab, watch)
}

/// Opens `page` (written to `file`) and waits until its script is ready.
pub fn open(tab: &Tab, file: &Path, page: &str) {
    std::fs::write(file, page).unwrap();
    let url = format!("file://{}", file.display());
    tab.navigate_to(&url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    tab.wait_for_element("body[data-ready='true']")
        .unwrap_or_else(|e| panic!("{} did not get ready: {e}", file.display()));
}

pub fn eval(tab: &Tab, js: &str) -> serde_json::Value {
    tab.evaluate(js, false)
        .unwrap_or_else(|e| panic!("{js}: {e}"))
        .value
        .unwrap_or(serde_json::Value::Null)
}

pub fn eval_str(tab: &Tab, js: &str) -> String {
    match eval(tab, js) {
        serde_json::Value::String(s) => s,
        other => panic!("{js} gave {other}"),
    }
}

pub fn current(tab: &Tab) -> String {
    eval_str(tab, "document.body.getAttribute('data-current')")
}

/// `text` as a JavaScript string literal.
pub fn js(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Only the page itself was requested: nothing left it.
pub fn assert_no_requests(watch: &Mutex<Watch>, page: &Path) {
    let watch = watch.lock().unwrap();
    let own = format!("file://{}", page.display());
    let others: Vec<&String> = watch.requests.iter().filter(|u| **u != own).collect();
    assert!(others.is_empty(), "{} requested {others:?}", page.display());
    assert!(watch.dialogs.is_empty(), "dialogs: {:?}", watch.dialogs);
    assert!(
        watch.exceptions.is_empty(),
        "exceptions: {:?}",
        watch.exceptions
    );
}

/// Clicks the element `selector` matches with the mouse, as a person
/// would: scrolled into view, then pressed and released at its centre.
pub fn click(tab: &Tab, selector: &str) {
    let centre = eval_str(
        tab,
        &format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return 'missing'; \
               e.scrollIntoView({{block: 'center', inline: 'center'}}); const r = e.getBoundingClientRect(); \
               return JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]); }})()",
            js(selector)
        ),
    );
    let [x, y]: [f64; 2] =
        serde_json::from_str(&centre).unwrap_or_else(|_| panic!("{selector}: {centre}"));
    tab.click_point(Point { x, y })
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
}
