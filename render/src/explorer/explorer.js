// The turnstile explorer: the workflow's model is the JSON in #model, the
// diagram is the SVG in #diagram (one <g class="state" data-state> per state,
// one <g class="edge" data-transition data-from data-to> per edge). Every
// text from the model is set with textContent, never parsed as markup.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('model').textContent);
  var states = model.states;
  var transitions = model.transitions;
  var guards = model.guards;
  var svg = document.querySelector('#diagram svg');
  var byName = new Map(states.map(function (s, i) { return [s.name, i]; }));

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(id) { return document.getElementById(id); }

  // The transitions leaving each state, in the order they are declared.
  var outgoing = states.map(function () { return []; });
  transitions.forEach(function (t, i) { t.from.forEach(function (f) { outgoing[f].push(i); }); });

  // The diagram's elements.
  var stateEl = new Array(states.length);
  svg.querySelectorAll('g.state').forEach(function (g) {
    var i = byName.get(g.getAttribute('data-state'));
    if (i === undefined) return;
    stateEl[i] = g;
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', 'State ' + states[i].name + (states[i].summary ? ': ' + states[i].summary : ''));
    g.addEventListener('click', function () { select(i); });
    g.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(i); }
    });
  });
  var edgeEls = Array.prototype.slice.call(svg.querySelectorAll('g.edge[data-transition]'));
  var branchEls = Array.prototype.slice.call(svg.querySelectorAll('g.branch'));
  edgeEls.forEach(function (g) {
    g.addEventListener('click', function () { showEvent(g.getAttribute('data-event') || ''); });
  });

  // The edges (and branch node) drawn for one step: transition t from state a to b.
  function stepEls(t, a, b) {
    var from = states[a].name, to = states[b].name;
    var out = edgeEls.filter(function (g) {
      if (g.getAttribute('data-transition') !== String(t)) return false;
      var f = g.getAttribute('data-from'), d = g.getAttribute('data-to');
      return (f === from && (d === to || d === '')) || (f === '' && d === to);
    });
    return out.concat(branchEls.filter(function (g) { return g.getAttribute('data-branch') === String(t); }));
  }
  function mark(cls, els) {
    svg.querySelectorAll('.' + cls).forEach(function (e) { e.classList.remove(cls); });
    els.forEach(function (e) { if (e) e.classList.add(cls); });
  }

  // Shortest event sequences from the initial state (breadth first, the
  // earliest declared transition first), as parent links.
  var parent = new Array(states.length).fill(null);
  (function () {
    var seen = new Array(states.length).fill(false);
    var queue = [model.initial];
    seen[model.initial] = true;
    for (var q = 0; q < queue.length; q++) {
      var s = queue[q];
      outgoing[s].forEach(function (ti) {
        transitions[ti].to.forEach(function (d) {
          if (!seen[d]) { seen[d] = true; parent[d] = { from: s, transition: ti }; queue.push(d); }
        });
      });
    }
    parent.reached = seen;
  })();
  function shortestTo(i) {
    if (!parent.reached[i]) return null;
    var steps = [];
    for (var at = i; parent[at]; at = parent[at].from) steps.push({ from: parent[at].from, transition: parent[at].transition, to: at });
    return steps.reverse();
  }

  function guardItem(g) {
    return el('li', { className: 'guard' }, [el('code', { text: guards[g].name }), guards[g].summary ? ': ' + guards[g].summary : '']);
  }
  function timerText(t) { return t.timer ? (t.timer.automatic ? 'happens by itself ' : 'refused until ') + t.timer.label.replace(/^not before /, 'not before ') : ''; }

  // Details of a state: summary, kind, events allowed, the shortest way here.
  var selected = null;
  function select(i) {
    selected = i;
    var s = states[i];
    mark('selected', [stateEl[i]]);
    var path = shortestTo(i) || [];
    var lit = [];
    path.forEach(function (st) { lit = lit.concat(stepEls(st.transition, st.from, st.to)); lit.push(stateEl[st.from]); });
    mark('on-path', lit);
    var box = clear($('details'));
    var title = el('h2', {}, [s.name]);
    if (i === model.initial) title.appendChild(el('span', { className: 'badge initial', text: 'initial' }));
    if (s.final) title.appendChild(el('span', { className: 'badge final', text: 'final' }));
    if (s.refusal) title.appendChild(el('span', { className: 'badge refusal', text: 'refusal' }));
    box.appendChild(title);
    box.appendChild(el('p', { text: s.summary || 'No summary.' }));
    if (s.final) box.appendChild(el('p', { className: 'muted', text: 'The workflow may end here.' }));
    box.appendChild(el('h3', { text: 'Events allowed here' }));
    if (outgoing[i].length === 0) box.appendChild(el('p', { className: 'muted', text: 'None.' }));
    outgoing[i].forEach(function (ti) {
      var t = transitions[ti];
      var item = el('div', { className: 'event' }, [
        el('span', { className: 'name', text: t.event }),
        ' → ' + t.to.map(function (d) { return states[d].name; }).join(' or ')
      ]);
      if (t.to.length > 1) item.appendChild(el('p', { className: 'muted', text: 'The outcome is decided when the event is fired.' }));
      if (t.summary) item.appendChild(el('p', { text: t.summary }));
      if (t.guards.length) item.appendChild(el('ul', {}, t.guards.map(guardItem)));
      if (t.timer) item.appendChild(el('p', { className: 'timer', text: timerText(t) }));
      box.appendChild(item);
    });
    box.appendChild(el('h3', { text: 'Shortest way here' }));
    if (!parent.reached[i]) box.appendChild(el('p', { className: 'muted', text: 'Not reachable from the initial state.' }));
    else if (path.length === 0) box.appendChild(el('p', { className: 'muted', text: 'This is the initial state.' }));
    else box.appendChild(el('ol', { className: 'trail', 'aria-label': 'Shortest event sequence to ' + s.name }, path.map(function (st) {
      return el('li', { text: transitions[st.transition].event + ' → ' + states[st.to].name });
    })));
    if (stateEl[i] && stateEl[i].scrollIntoView) stateEl[i].scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  function showEvent(name) {
    var list = [];
    transitions.forEach(function (t, ti) { if (t.event === name) list.push(ti); });
    mark('lit', edgeEls.filter(function (g) { return g.getAttribute('data-event') === name; }));
    mark('on-path', []);
    var box = clear($('details'));
    box.appendChild(el('h2', {}, ['Event ', el('code', { text: name })]));
    list.forEach(function (ti) {
      var t = transitions[ti];
      box.appendChild(el('div', { className: 'event' }, [
        el('p', { text: 'From ' + t.from.map(function (f) { return states[f].name; }).join(', ') + ' to ' + t.to.map(function (d) { return states[d].name; }).join(' or ') }),
        t.summary ? el('p', { text: t.summary }) : null,
        t.guards.length ? el('ul', {}, t.guards.map(guardItem)) : null,
        t.timer ? el('p', { className: 'timer', text: timerText(t) }) : null
      ]));
    });
  }

  // The simulator.
  var current = model.initial;
  var trail = [];
  function say(kind, text) {
    var m = $('message');
    m.className = 'message ' + kind;
    m.textContent = text;
    m.hidden = !text;
  }
  function renderSimulator() {
    document.body.setAttribute('data-current', states[current].name);
    $('current').textContent = states[current].name;
    mark('current', [stateEl[current]]);
    var taken = [];
    trail.forEach(function (st) { taken = taken.concat(stepEls(st.transition, st.from, st.to)); });
    mark('taken', taken);
    var forms = clear($('events'));
    if (outgoing[current].length === 0) {
      forms.appendChild(el('p', { className: 'muted', text: states[current].final ? 'A final state: the workflow ends here.' : 'No event leaves this state.' }));
    }
    outgoing[current].forEach(function (ti) {
      var t = transitions[ti];
      var form = el('fieldset', { className: 'event', 'data-event-form': t.event });
      form.appendChild(el('legend', { className: 'name', text: t.event }));
      t.guards.forEach(function (g) {
        var id = 'g-' + ti + '-' + g;
        form.appendChild(el('div', {}, [
          el('input', { type: 'checkbox', id: id, checked: 'checked', 'data-guard': guards[g].name }),
          el('label', { 'for': id, text: ' ' + guards[g].name + ' holds' })
        ]));
      });
      if (t.timer) {
        var tid = 't-' + ti;
        form.appendChild(el('div', {}, [
          el('input', { type: 'checkbox', id: tid, checked: 'checked', 'data-timer': t.timer.label }),
          el('label', { 'for': tid, text: ' ' + t.timer.label + ' has passed' })
        ]));
      }
      if (t.to.length > 1) {
        var sid = 'o-' + ti;
        var select = el('select', { id: sid, 'data-outcome': t.event }, t.to.map(function (d) { return el('option', { value: String(d), text: states[d].name }); }));
        form.appendChild(el('div', { className: 'row' }, [el('label', { 'for': sid, text: 'Outcome' }), select]));
      }
      form.appendChild(el('div', { className: 'row' }, [el('button', {
        type: 'button', className: 'primary', 'data-fire': t.event, text: 'Fire ' + t.event,
        onclick: function () { fire(ti, form); }
      })]));
      forms.appendChild(form);
    });
    var list = clear($('trail'));
    trail.forEach(function (st) {
      list.appendChild(el('li', { text: transitions[st.transition].event + ': ' + states[st.from].name + ' → ' + states[st.to].name }));
    });
    $('undo').disabled = trail.length === 0;
  }
  function fire(ti, form) {
    var t = transitions[ti];
    var failing = t.guards.filter(function (g) {
      var box = form.querySelector('input[data-guard="' + CSS.escape(guards[g].name) + '"]');
      return box && !box.checked;
    });
    if (failing.length) {
      var g = guards[failing[0]];
      say('refused', 'Refused: ' + t.event + ' needs ' + g.name + (g.summary ? ' (' + g.summary + ')' : '') + '. Still in ' + states[current].name + '.');
      return;
    }
    var timer = form.querySelector('input[data-timer]');
    if (timer && !timer.checked) {
      say('refused', 'Refused: ' + t.event + ' is ' + t.timer.label + ' in ' + states[current].name + '. Still in ' + states[current].name + '.');
      return;
    }
    var outcome = form.querySelector('select[data-outcome]');
    var to = outcome ? Number(outcome.value) : t.to[0];
    step(ti, to);
  }
  function step(ti, to) {
    trail.push({ from: current, transition: ti, to: to });
    say('moved', transitions[ti].event + ': ' + states[current].name + ' → ' + states[to].name);
    current = to;
    renderSimulator();
  }
  $('undo').addEventListener('click', function () {
    var last = trail.pop();
    if (!last) return;
    current = last.from;
    say('moved', 'Undone: back in ' + states[current].name);
    renderSimulator();
  });
  function reset() {
    stopPlaying();
    trail = [];
    current = model.initial;
    say('', '');
    renderSimulator();
  }
  $('reset').addEventListener('click', reset);

  // The test plan: sequences that together take every transition.
  var timerId = null;
  function stopPlaying() {
    if (timerId !== null) clearTimeout(timerId);
    timerId = null;
    document.body.setAttribute('data-playing', 'false');
  }
  function play(k) {
    reset();
    var steps = model.plan[k];
    document.body.setAttribute('data-playing', 'true');
    var n = 0;
    (function next() {
      if (n >= steps.length) { stopPlaying(); say('moved', 'Path ' + (k + 1) + ' played: ' + steps.length + ' steps, now in ' + states[current].name + '.'); return; }
      var st = steps[n++];
      step(st.transition, st.to);
      timerId = setTimeout(next, Number(document.body.getAttribute('data-step-ms') || 450));
    })();
  }
  var plan = $('plan');
  model.plan.forEach(function (steps, k) {
    var last = steps.length ? states[steps[steps.length - 1].to].name : states[model.initial].name;
    var text = 'Path ' + (k + 1) + ': ' + steps.map(function (st) { return transitions[st.transition].event; }).join(' → ') + ' (ends in ' + last + ')';
    plan.appendChild(el('li', {}, [el('button', { type: 'button', 'data-path': String(k), text: text, onclick: function () { play(k); } })]));
  });

  // Search by state or event name, a few results at a time so that a
  // workflow of thousands of states stays responsive.
  var events = [];
  var seenEvent = new Set();
  transitions.forEach(function (t) { if (!seenEvent.has(t.event)) { seenEvent.add(t.event); events.push(t.event); } });
  var index = states.map(function (s, i) { return { key: s.name.toLowerCase(), state: i }; })
    .concat(events.map(function (e) { return { key: e.toLowerCase(), event: e }; }));
  var pending = null;
  var LIMIT = 50;
  function search() {
    pending = null;
    var q = $('search').value.trim().toLowerCase();
    var out = clear($('results'));
    if (!q) { $('search-status').textContent = ''; return; }
    var found = [];
    var total = 0;
    for (var i = 0; i < index.length; i++) {
      if (index[i].key.indexOf(q) !== -1) { total++; if (found.length < LIMIT) found.push(index[i]); }
    }
    found.forEach(function (r) {
      var b = r.state !== undefined
        ? el('button', { type: 'button', 'data-result-state': states[r.state].name, text: 'State ' + states[r.state].name, onclick: function () { select(r.state); if (stateEl[r.state]) stateEl[r.state].focus(); } })
        : el('button', { type: 'button', 'data-result-event': r.event, text: 'Event ' + r.event, onclick: function () { showEvent(r.event); } });
      out.appendChild(el('li', {}, [b]));
    });
    $('search-status').textContent = total === 0 ? 'Nothing matches.' : total > LIMIT ? total + ' matches, the first ' + LIMIT + ' shown.' : total + (total === 1 ? ' match.' : ' matches.');
  }
  $('search').addEventListener('input', function () {
    if (pending !== null) clearTimeout(pending);
    pending = setTimeout(search, 120);
  });
  $('search').addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { if (pending !== null) clearTimeout(pending); search(); var first = $('results').querySelector('button'); if (first) first.click(); }
  });

  $('fit').addEventListener('click', function () {
    var fit = $('diagram').classList.toggle('fit');
    $('fit').setAttribute('aria-pressed', String(fit));
  });

  reset();
  select(model.initial);
  document.body.setAttribute('data-ready', 'true');
})();
