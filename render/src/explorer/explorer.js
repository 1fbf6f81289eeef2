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
  // A workflow with parallel regions (`null` without): each region's
  // initial state and states, each event's moved regions and conditions,
  // and the checker's runs over configurations (docs/regions.md).
  var RM = model.regions;
  var regions = RM ? RM.regions : null;
  var regionOf = states.map(function () { return -1; });
  if (regions) regions.forEach(function (r, k) { r.leaves.forEach(function (s) { regionOf[s] = k; }); });
  var eventByName = new Map(RM ? RM.events.map(function (e) { return [e.name, e]; }) : []);
  // Each event's place in the definition (where it is first written):
  // the order the runtime lists the events a state allows in.
  var eventOrder = new Map();
  transitions.forEach(function (t) { if (!eventOrder.has(t.event)) eventOrder.set(t.event, eventOrder.size); });
  function isInitial(i) { return regions ? regions.some(function (r) { return r.initial === i; }) : i === model.initial; }

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
  // On a narrow screen the details sit below the diagram: bring them up.
  // On a wide screen they sit in the sidebar, which may be scrolled to the
  // simulator: bring them into sight there.
  function revealDetails() {
    if (window.matchMedia && window.matchMedia('(max-width: 900px)').matches) $('details').scrollIntoView({ block: 'start' });
    else {
      var box = $('details').getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight - 40) $('details').scrollIntoView({ block: 'nearest' });
    }
  }
  // Scrolls the diagram (not the page) so that `node` is in sight: where
  // the diagram does not scroll on its own (a narrow screen), nothing moves.
  function keepInDiagram(node) {
    var d = $('diagram'), box = d.getBoundingClientRect(), r = node.getBoundingClientRect();
    if (r.top < box.top) d.scrollTop -= box.top - r.top + 24;
    else if (r.bottom > box.bottom) d.scrollTop += r.bottom - box.bottom + 24;
    if (r.left < box.left) d.scrollLeft -= box.left - r.left + 24;
    else if (r.right > box.right) d.scrollLeft += r.right - box.right + 24;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(id) { return document.getElementById(id); }

  // The transitions leaving each state, in the order they are declared.
  var outgoing = states.map(function () { return []; });
  transitions.forEach(function (t, i) { t.from.forEach(function (f) { outgoing[f].push(i); }); });

  // The diagram's elements, bound again when a compound state is folded
  // or unfolded (the page holds the drawing with each compound folded in
  // a <template class="folded">, drawn by the same layout).
  var stateEl, edgeEls, branchEls;
  var unfolded = svg;
  var foldedName = null;
  function bind() {
    // Its states and edges are controls: a group, not an image.
    svg.setAttribute('role', 'group');
    stateEl = new Array(states.length);
    svg.querySelectorAll('g.state').forEach(function (g) {
      var i = byName.get(g.getAttribute('data-state'));
      if (i === undefined) return;
      stateEl[i] = g;
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', 'State ' + states[i].name + (states[i].summary ? ': ' + states[i].summary : ''));
      g.addEventListener('click', function () { select(i); revealDetails(); saveLink(); });
      g.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(i); revealDetails(); }
      });
    });
    edgeEls = Array.prototype.slice.call(svg.querySelectorAll('g.edge[data-transition]'));
    branchEls = Array.prototype.slice.call(svg.querySelectorAll('g.branch'));
    // Each event's edge is a button (by keyboard too): its details.
    edgeEls.forEach(function (g) {
      var name = g.getAttribute('data-event');
      if (!name) return;
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-label', 'Event ' + name + ' from ' + (g.getAttribute('data-from') || 'a choice').split(' ').join(', ') +
        (g.getAttribute('data-to') ? ' to ' + g.getAttribute('data-to').split(' ').join(', ') : ''));
      // Out of the current state, a person's event fires, with the
      // answers and outcome of its form; any other edge shows its event.
      // Where the form asks something (a guard, an outcome), it is asked
      // in place, beside the edge, before the event fires.
      var activate = function () {
        var form = g.classList.contains('fireable') && formOf(name);
        var fire = form && form.querySelector('button[data-fire]');
        if (!fire) { showEvent(name); revealDetails(); }
        else if (form.querySelector('input[data-guard], select[data-outcome]')) askInPlace(g, form);
        else fire.click();
      };
      g.addEventListener('click', activate);
      g.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); }
      });
    });
    svg.querySelectorAll('g.compound').forEach(function (g) {
      var name = g.getAttribute('data-compound');
      if (!foldedDrawing(name)) return;
      var isFolded = g.getAttribute('data-folded') === 'true';
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.setAttribute('aria-expanded', String(!isFolded));
      g.setAttribute('aria-label', (isFolded ? 'Unfold ' : 'Fold ') + name);
      var go = function () { fold(isFolded ? null : name); };
      g.addEventListener('click', go);
      g.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); }
      });
    });
  }
  // Asks the questions of an event's form beside its edge `g`: the events
  // panel's own form (one owner of the answers) moves into a dialog and
  // goes back where it was if the user cancels; firing draws the panel
  // again.
  function askInPlace(g, form) {
    var dialog = $('in-place');
    if (dialog.open) return;
    var home = form.parentNode, next = form.nextSibling, fired = false;
    var fire = form.querySelector('button[data-fire]');
    var onFire = function () { fired = true; dialog.close(); };
    $('in-place-label').textContent = g.getAttribute('aria-label') || ('Fire ' + form.getAttribute('data-event-form'));
    clear($('in-place-form')).appendChild(form);
    fire.addEventListener('click', onFire);
    dialog.addEventListener('close', function back() {
      dialog.removeEventListener('close', back);
      fire.removeEventListener('click', onFire);
      if (!fired && home.isConnected) home.insertBefore(form, next && next.parentNode === home ? next : null);
      clear($('in-place-form'));
    });
    dialog.showModal();
    // Beside the edge's label, inside the window.
    var at = (g.querySelector('text.label') || g).getBoundingClientRect();
    var box = dialog.getBoundingClientRect();
    var left = Math.min(Math.max(8, at.left), window.innerWidth - box.width - 8);
    var top = at.bottom + 8 + box.height <= window.innerHeight ? at.bottom + 8 : at.top - 8 - box.height;
    dialog.style.left = Math.max(8, left) + 'px';
    dialog.style.top = Math.max(8, Math.min(top, window.innerHeight - box.height - 8)) + 'px';
    var first = form.querySelector('input, select');
    if (first) first.focus();
  }
  function foldedDrawing(name) {
    return document.querySelector('template.folded[data-compound="' + CSS.escape(name) + '"]');
  }
  // Shows the drawing with compound `name` folded (null: none folded),
  // keeping what the page shows of the simulator and the selection.
  function fold(name) {
    var next = name === null ? unfolded : document.importNode(foldedDrawing(name).content, true).querySelector('svg');
    next.style.width = svg.style.width;
    svg.replaceWith(next);
    svg = next;
    foldedName = name;
    bind();
    renderSimulator();
    if (selected !== null) select(selected);
    var box = svg.querySelector('g.compound[data-compound="' + CSS.escape(name === null ? '' : name) + '"]');
    if (box) box.focus();
  }
  // The element that shows state i: its own, or the folded compound's box
  // it is inside.
  function shown(i) {
    if (stateEl[i]) return stateEl[i];
    if (foldedName !== null && states[i].within.indexOf(foldedName) >= 0) return svg.querySelector('g.compound[data-folded]');
    return null;
  }
  bind();

  // The edges (and branch node) drawn for one step: transition t from state a to b.
  // An edge drawn at a compound state's border lists the states it stands
  // for in `data-from` / `data-to`, separated by spaces.
  function names(list) { return list ? list.split(' ') : []; }
  function stepEls(t, a, b) {
    var from = states[a].name, to = states[b].name;
    var out = edgeEls.filter(function (g) {
      if (g.getAttribute('data-transition') !== String(t)) return false;
      var f = names(g.getAttribute('data-from')), d = names(g.getAttribute('data-to'));
      return (f.indexOf(from) >= 0 && (d.indexOf(to) >= 0 || d.length === 0)) || (f.length === 0 && d.indexOf(to) >= 0);
    });
    return out.concat(branchEls.filter(function (g) { return g.getAttribute('data-branch') === String(t); }));
  }
  function mark(cls, els) {
    svg.querySelectorAll('.' + cls).forEach(function (e) { e.classList.remove(cls); });
    els.forEach(function (e) { if (e) e.classList.add(cls); });
  }

  // Shortest event sequences from the initial state (breadth first, the
  // earliest declared transition first), as parent links; with regions,
  // from each region's initial state (what the page falls back on where
  // the configurations were too many to embed their runs).
  var parent = new Array(states.length).fill(null);
  (function () {
    var seen = new Array(states.length).fill(false);
    var queue = regions ? regions.map(function (r) { return r.initial; }) : [model.initial];
    queue.forEach(function (q) { seen[q] = true; });
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

  // The transition by which `name` leaves `state` (the first declared),
  // or undefined.
  function moveOf(name, state) {
    var out = outgoing[state];
    for (var k = 0; k < out.length; k++) if (transitions[out[k]].event === name) return out[k];
    return undefined;
  }
  // A condition on another region, in words.
  function conditionText(c) { return 'Only while ' + regions[c.region].name + ' is in ' + c.written.join(' or '); }
  // A run over configurations as the model gives it (`[event, config]`
  // per step), with what each step moved: region, transition, from, to.
  function configSteps(run) {
    var prev = regions.map(function (r) { return r.initial; });
    return run.map(function (step) {
      var e = eventByName.get(step[0]);
      var moved = e.moved.map(function (r) { return { region: r, transition: moveOf(step[0], prev[r]), from: prev[r], to: step[1][r] }; });
      prev = step[1];
      return { event: step[0], config: step[1], moved: moved };
    });
  }
  // What a step of regions did, in words: `close: services active → closed`.
  function movedText(st) {
    return st.event + ': ' + st.moved.map(function (m) { return regions[m.region].name + ' ' + states[m.from].name + ' \u2192 ' + states[m.to].name; }).join(', ');
  }
  // What an event asks of the regions: that it moves several together,
  // and its conditions on others (none without regions).
  function regionNotes(name) {
    var e = eventByName.get(name);
    if (!e) return [];
    var out = [];
    if (e.moved.length > 1) {
      out.push(el('p', { className: 'joint', text: 'Moves ' + e.moved.map(function (r) { return regions[r].name; }).join(' and ') +
        ' in one step: every one of them or none.' }));
    }
    e.conditions.forEach(function (c) { out.push(el('p', { className: 'condition', text: conditionText(c) + '.' })); });
    return out;
  }
  function guardItem(g) {
    return el('li', { className: 'guard' }, [el('code', { text: guards[g].name }), guards[g].summary ? ': ' + guards[g].summary : '']);
  }
  function byText(t) { return 'Fired by ' + t.by.join(' or ') + ' only'; }
  // The simulator does not model the data: firing an event that brings a
  // payload stands for bringing one that reads.
  function payloadText(t) { return 'Brings a ' + t.payload + ' (the simulator assumes it is given and reads)'; }
  function timerText(t) { return t.timer ? (t.timer.automatic ? 'Happens by itself ' : 'Not before ') + t.timer.text + ' after entering the state' : ''; }

  // Details of a state: summary, kind, events allowed, the shortest way
  // here. `taken`: the details follow the simulator, which took `taken`
  // (its trail) to get here: that way is shown, not the shortest, and
  // nothing scrolls (the page stays where the user acted).
  var selected = null;
  function select(i, taken) {
    selected = i;
    var s = states[i];
    mark('selected', [shown(i)]);
    // With regions, the shortest run to a configuration that has the
    // state, as the checker finds it (one a machine can follow).
    var run = !taken && regions && RM.shortest ? (RM.shortest[i] ? configSteps(RM.shortest[i]) : null) : null;
    var path = taken || run ? [] : (shortestTo(i) || []);
    var lit = [];
    path.forEach(function (st) { lit = lit.concat(stepEls(st.transition, st.from, st.to)); lit.push(shown(st.from)); });
    (run || []).forEach(function (st) {
      st.moved.forEach(function (m) { lit = lit.concat(stepEls(m.transition, m.from, m.to)); lit.push(shown(m.from)); });
    });
    mark('on-path', lit);
    var box = clear($('details'));
    var title = el('h2', {}, [s.name]);
    if (isInitial(i)) title.appendChild(el('span', { className: 'badge initial', text: 'initial' }));
    if (s.final) title.appendChild(el('span', { className: 'badge final', text: 'final' }));
    if (s.refusal) title.appendChild(el('span', { className: 'badge refusal', text: 'refusal' }));
    box.appendChild(title);
    box.appendChild(el('p', { text: s.summary || 'No summary.' }));
    // A state inside compound states: what they allow and permit holds here.
    if (regions) {
      box.appendChild(el('p', { className: 'within', text: 'In region ' + regions[regionOf[i]].name + ', beside ' +
        regions.filter(function (r, k) { return k !== regionOf[i]; }).map(function (r) { return r.name; }).join(', ') +
        '. A capability holds where no region that names it forbids it.' }));
    } else if (s.within.length) box.appendChild(el('p', { className: 'within', text: 'Inside ' + s.within.join(' \u203a ') + ': what it allows and permits holds here too.' }));
    if (s.final) box.appendChild(el('p', { className: 'muted', text: 'The workflow may end here.' }));
    if (model.capabilities.length) {
      box.appendChild(el('h3', { text: 'Permits' }));
      if (s.permits.length === 0) box.appendChild(el('p', { className: 'muted', text: 'Nothing the definition names.' }));
      else box.appendChild(el('ul', { className: 'permits' }, s.permits.map(function (c) {
        var cap = model.capabilities[c];
        return el('li', { className: 'capability' }, [el('code', { text: cap.name }), cap.summary ? ': ' + cap.summary : '']);
      })));
    }
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
      regionNotes(t.event).forEach(function (p) { item.appendChild(p); });
      if (t.guards.length) item.appendChild(el('ul', {}, t.guards.map(guardItem)));
      if (t.by.length) item.appendChild(el('p', { className: 'roles', text: byText(t) }));
      if (t.payload) item.appendChild(el('p', { className: 'payload', text: payloadText(t) }));
      if (t.timer) item.appendChild(el('p', { className: 'timer', text: timerText(t) }));
      box.appendChild(item);
    });
    if (taken && taken.length) {
      box.appendChild(el('h3', { text: 'The way taken here' }));
      box.appendChild(el('ol', { className: 'trail', 'aria-label': 'Steps the simulator took to ' + s.name }, taken.map(function (st) {
        return el('li', { text: transitions[st.transition].event + ' → ' + states[st.to].name + ' at ' + when(st.at) });
      })));
      if (shown(i)) keepInDiagram(shown(i));
      return;
    }
    box.appendChild(el('h3', { text: 'Shortest way here' }));
    if (regions && RM.shortest) {
      if (!run) box.appendChild(el('p', { className: 'muted', text: 'No configuration the regions reach together has it.' }));
      else if (run.length === 0) box.appendChild(el('p', { className: 'muted', text: 'The region starts here.' }));
      else box.appendChild(el('ol', { className: 'trail', 'aria-label': 'Shortest event sequence to ' + s.name }, run.map(function (st) {
        return el('li', { text: movedText(st) });
      })));
    } else if (!parent.reached[i]) box.appendChild(el('p', { className: 'muted', text: 'Not reachable from the initial state.' }));
    else if (path.length === 0) box.appendChild(el('p', { className: 'muted', text: 'This is the initial state.' }));
    else box.appendChild(el('ol', { className: 'trail', 'aria-label': 'Shortest event sequence to ' + s.name }, path.map(function (st) {
      return el('li', { text: transitions[st.transition].event + ' → ' + states[st.to].name });
    })));
    var at = shown(i);
    if (!taken && at && at.scrollIntoView) at.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    else if (at) keepInDiagram(at);
  }

  function showEvent(name) {
    var list = [];
    transitions.forEach(function (t, ti) { if (t.event === name) list.push(ti); });
    mark('lit', edgeEls.filter(function (g) { return g.getAttribute('data-event') === name; }));
    mark('on-path', []);
    var box = clear($('details'));
    box.appendChild(el('h2', {}, ['Event ', el('code', { text: name })]));
    regionNotes(name).forEach(function (p) { box.appendChild(p); });
    list.forEach(function (ti) {
      var t = transitions[ti];
      box.appendChild(el('div', { className: 'event' }, [
        el('p', { text: 'From ' + t.from.map(function (f) { return states[f].name; }).join(', ') + ' to ' + t.to.map(function (d) { return states[d].name; }).join(' or ') }),
        t.by.length ? el('p', { className: 'roles', text: byText(t) }) : null,
        t.payload ? el('p', { className: 'payload', text: payloadText(t) }) : null,
        t.summary ? el('p', { text: t.summary }) : null,
        t.guards.length ? el('ul', {}, t.guards.map(guardItem)) : null,
        t.timer ? el('p', { className: 'timer', text: timerText(t) }) : null
      ]));
    });
  }

  // The simulator: a clock, and the runtime's rules for firing. An event
  // fired by name first lets every automatic timer that has fallen due
  // happen (earliest first, each at its due instant, by "timer"), as
  // `turnstile::Instance::fire` does; then it is checked in the order the
  // model gives (`checks`, which `Workflow::checks` writes and the
  // generated code follows): an automatic timer that comes first, the
  // event's own timer, its guards. Moving the clock lets due automatic
  // timers happen by themselves, as a runner calling `fire_due` would.
  function compact(ms) {
    var secs = Math.floor(ms / 1000);
    if (secs === 0) return ms + 'ms';
    var parts = [];
    [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]].forEach(function (u) {
      if (secs >= u[1]) { parts.push(Math.floor(secs / u[1]) + u[0]); secs %= u[1]; }
    });
    return parts.join(' ');
  }
  function when(ms) { return ms === 0 ? 'T' : 'T + ' + compact(ms); }
  // `within`: when each compound the current state is inside was
  // entered, outermost first (what a compound's timers count from).
  // `refused`: the attempts refused, with the runtime's words.
  function fresh() {
    if (regions) return rFresh();
    return { current: model.initial, entered: 0, within: states[model.initial].within.map(function () { return 0; }), clock: 0, trail: [], refused: [] };
  }
  function copy(s) {
    if (regions) return rCopy(s);
    return { current: s.current, entered: s.entered, within: s.within.slice(), clock: s.clock, trail: s.trail.slice(), refused: s.refused.slice() };
  }
  // `role`: the role the actor acts in, recorded (as the runtime records
  // it) where the transition names roles.
  function take(s, ti, to, at, actor, role) {
    var t = transitions[ti];
    // The compounds the move stays inside keep their instants (`kept`,
    // given where a timer counts from a compound); the others are entered.
    var kept = t.kept ? t.kept[t.from.indexOf(s.current)][t.to.indexOf(to)] : 0;
    s.trail.push({ from: s.current, transition: ti, to: to, at: at, actor: actor, role: t.by.length && role ? role : null });
    s.current = to;
    s.entered = at;
    s.within = s.within.slice(0, kept);
    while (s.within.length < states[to].within.length) s.within.push(at);
  }
  // What the timer of transition `ti` counts from in the current state:
  // the position of its compound among the state's (`clocks`), or null
  // for entering the state.
  function clockOf(s, ti) {
    var t = transitions[ti];
    var d = t.clocks ? t.clocks[t.from.indexOf(s.current)] : null;
    return d === undefined ? null : d;
  }
  function dueOf(s, ti) {
    var d = clockOf(s, ti);
    return (d === null ? s.entered : s.within[d]) + transitions[ti].timer.after_ms;
  }
  function clockName(s, ti) {
    var d = clockOf(s, ti);
    return d === null ? states[s.current].name : states[s.current].within[d];
  }
  // The automatic timer of the current state that fell due first by the
  // clock (the first declared among equals), or null.
  function firstDue(s) {
    var best = null;
    outgoing[s.current].forEach(function (ti) {
      var t = transitions[ti];
      if (!t.timer || !t.timer.automatic) return;
      var at = dueOf(s, ti);
      if (at <= s.clock && (best === null || at < best.at)) best = { transition: ti, at: at };
    });
    return best;
  }
  function runDue(s, choose) {
    for (var d = firstDue(s), n = 0; d && n < 100000; d = firstDue(s), n++) take(s, d.transition, choose(d.transition), d.at, 'timer');
  }
  // Fires the event `name` at the clock by an actor holding `role` (a
  // role's name, or '' for none): null, or why it was refused.
  function fireEvent(s, name, holds, choose, role) {
    for (var d = firstDue(s); d; d = firstDue(s)) {
      take(s, d.transition, choose(d.transition), d.at, 'timer');
      if (transitions[d.transition].event === name) return null;
    }
    var ti = outgoing[s.current].filter(function (i) { return transitions[i].event === name; })[0];
    if (ti === undefined) return { kind: 'not_allowed', event: name };
    var t = transitions[ti];
    if (t.by.length && t.by.indexOf(role) < 0) return { kind: 'forbidden', event: name, allowed: t.by, held: role ? [role] : [] };
    var checks = t.checks[t.from.indexOf(s.current)];
    var failing = [];
    for (var k = 0; k < checks.length; k++) {
      var c = checks[k];
      if (c.preempted_by !== undefined) {
        var other = transitions[c.preempted_by];
        var otherDue = dueOf(s, c.preempted_by);
        // `unless`: the event's own automatic timer counts from another
        // instant, and comes first if it falls due no later.
        var ownFirst = c.unless && dueOf(s, ti) <= otherDue;
        if (otherDue <= s.clock && !ownFirst) return { kind: 'overdue', event: name, by: other.event };
      } else if (c.timer) {
        if (dueOf(s, ti) > s.clock) return { kind: 'not_yet', event: name, after: t.timer.after, due: dueOf(s, ti) };
      } else if (!holds(c.guard)) failing.push(c.guard);
    }
    if (failing.length) return { kind: 'guard', event: name, guards: failing };
    take(s, ti, choose(ti), s.clock, 'you', role);
    return null;
  }
  // With regions, the simulator is the generated `Current` (and a runner
  // calling `fire_due` whenever the clock moves), in its order and words
  // (docs/regions.md): one state per region, each with the instant it
  // entered it; firing by name does not first let due timers happen.
  function rFresh() {
    return { config: regions.map(function (r) { return r.initial; }), entered: regions.map(function () { return 0; }), clock: 0, trail: [], refused: [] };
  }
  function rCopy(s) { return { config: s.config.slice(), entered: s.entered.slice(), clock: s.clock, trail: s.trail.slice(), refused: s.refused.slice() }; }
  // Whether event `e` can fire in `config`: every region it moves in a
  // source state, every condition met (`turnstile::regions::allows`).
  function allowsEvent(e, config) {
    return e.moved.every(function (r) { return moveOf(e.name, config[r]) !== undefined; }) &&
      e.conditions.every(function (c) { return c.states.indexOf(config[c.region]) >= 0; });
  }
  // Fires `name` at `now` by `actor` holding `roles`: null, or why not.
  // The order is the generated code's: each region it moves in a source
  // state, each condition, the roles of every move, the clock, then each
  // moved region's checks (`Workflow::checks`); a refusal changes nothing.
  function rFire(s, name, holds, choose, roles, actor, now) {
    var e = eventByName.get(name);
    var moves = [];
    for (var k = 0; k < e.moved.length; k++) {
      var r = e.moved[k], ti = moveOf(name, s.config[r]);
      if (ti === undefined) return { kind: 'not_allowed', event: name, state: s.config[r] };
      moves.push({ region: r, transition: ti, from: s.config[r] });
    }
    for (k = 0; k < e.conditions.length; k++) {
      var c = e.conditions[k];
      if (c.states.indexOf(s.config[c.region]) < 0) return { kind: 'condition', event: name, region: c.region, needs: c.written, state: s.config[c.region] };
    }
    var role = null;
    var restricted = transitions.some(function (t) { return t.event === name && t.by.length; });
    for (k = 0; restricted && k < moves.length; k++) {
      var allowed = transitions[moves[k].transition].by;
      var held = allowed.filter(function (a) { return roles.indexOf(a) >= 0; })[0];
      if (held === undefined) return { kind: 'forbidden', event: name, state: moves[k].from, allowed: allowed, held: roles };
      if (role === null) role = held;
    }
    for (k = 0; k < moves.length; k++) {
      if (now < s.entered[moves[k].region]) return { kind: 'clock_behind', event: name, state: moves[k].from };
    }
    for (k = 0; k < moves.length; k++) {
      var m = moves[k], t = transitions[m.transition], since = s.entered[m.region];
      var checks = t.checks[t.from.indexOf(m.from)], failing = [];
      for (var j = 0; j < checks.length; j++) {
        var check = checks[j];
        if (check.preempted_by !== undefined) {
          var other = transitions[check.preempted_by];
          if (since + other.timer.after_ms <= now) return { kind: 'overdue', event: name, state: m.from, by: other.event };
        } else if (check.timer) {
          if (since + t.timer.after_ms > now) return { kind: 'not_yet', event: name, state: m.from, after: t.timer.after, due: since + t.timer.after_ms };
        } else if (!holds(m.transition, check.guard)) failing.push(check.guard);
      }
      if (failing.length) return { kind: 'guard', event: name, state: m.from, guards: failing };
    }
    moves.forEach(function (m) {
      var t = transitions[m.transition];
      m.to = t.to.length > 1 ? choose(m.transition) : t.to[0];
    });
    moves.forEach(function (m) { s.config[m.region] = m.to; s.entered[m.region] = now; });
    s.trail.push({ event: name, at: now, actor: actor, role: role, moved: moves });
    return null;
  }
  // The automatic timer that can fire first and when it falls due, as
  // `Current::next_due`: each counts from its region's entry, no earlier
  // than the regions its event moves or asks entered their states; a timer
  // whose event cannot fire in the configuration waits. First declared on
  // a tie.
  function rNextDue(s) {
    var best = null;
    transitions.forEach(function (t) {
      if (!t.timer || !t.timer.automatic) return;
      t.from.forEach(function (f) {
        var r = regionOf[f];
        if (s.config[r] !== f) return;
        var e = eventByName.get(t.event);
        if (!allowsEvent(e, s.config)) return;
        var since = s.entered[r];
        e.moved.concat(e.conditions.map(function (c) { return c.region; })).forEach(function (x) { since = Math.max(since, s.entered[x]); });
        var due = Math.max(s.entered[r] + t.timer.after_ms, since);
        if (best === null || due < best.at) best = { event: t.event, at: due };
      });
    });
    return best;
  }
  // A runner: `fire_due` while a timer is due by the clock, each as of
  // its due instant, by "timer"; it stops at a refusal.
  function rRunDue(s, choose) {
    for (var d = rNextDue(s), n = 0; d && d.at <= s.clock && n < 100000; d = rNextDue(s), n++) {
      if (rFire(s, d.event, function () { return true; }, choose, [], 'timer', d.at)) return;
    }
  }
  // The configuration in words: `services active, partner no_partner`.
  function configText(config) {
    return config.map(function (st, r) { return regions[r].name + ' ' + states[st].name; }).join(', ');
  }
  // Whether the configuration permits capability `c`: every region that
  // names it in some state's `permits` is in a state that permits it; a
  // region that never names it does not restrict it; one no region names
  // is not permitted (`turnstile::regions::permits`).
  function rPermits(config, c) {
    var named = false;
    for (var r = 0; r < regions.length; r++) {
      var speaks = regions[r].leaves.some(function (st) { return states[st].permits.indexOf(c) >= 0; });
      if (speaks) {
        named = true;
        if (states[config[r]].permits.indexOf(c) < 0) return false;
      }
    }
    return named;
  }

  // A refusal in the runtime's words (`turnstile::Why`'s `Display`); with
  // regions, in the state of the region that refused.
  function words(why, state) {
    if (why.state !== undefined) state = why.state;
    var head = model.name + ': event `' + why.event + '` ';
    var refused = head + 'refused in state `' + states[state].name + '`: ';
    if (why.kind === 'condition') {
      var list = why.needs.map(function (n) { return '`' + n + '`'; });
      var needs = list.length > 1 ? list.slice(0, -1).join(', ') + ' or ' + list[list.length - 1] : list.join('');
      return head + 'needs region `' + regions[why.region].name + '` to be in ' + needs + '; it is in `' + states[state].name + '`';
    }
    if (why.kind === 'clock_behind') return refused + 'the instant given is earlier than when the instance entered the state';
    if (why.kind === 'not_allowed') {
      var allowed = [];
      outgoing[state].forEach(function (ti) { var e = transitions[ti].event; if (allowed.indexOf(e) < 0) allowed.push(e); });
      allowed.sort(function (a, b) { return eventOrder.get(a) - eventOrder.get(b); });
      return head + 'is not allowed in state `' + states[state].name + '`' + (allowed.length
        ? '; allowed now: ' + allowed.map(function (e) { return '`' + e + '`'; }).join(', ')
        : '; no event is (it is a final state)');
    }
    if (why.kind === 'forbidden') {
      var quoted = function (names) { return names.map(function (n) { return '`' + n + '`'; }).join(', '); };
      return refused + 'it may be fired by ' + quoted(why.allowed) + ' only; the actor `you` ' +
        (why.held.length ? 'holds ' + quoted(why.held) : 'holds no role');
    }
    if (why.kind === 'overdue') return refused + 'the automatic transition `' + why.by + '` has fallen due and comes first';
    if (why.kind === 'not_yet') return refused + 'not due until ' + why.after + ' after entering the state (' + when(why.due) + ')';
    var g = guards[why.guards[0]];
    var text = refused + 'guard `' + g.name + '` does not hold' + (g.summary ? ' (' + g.summary + ')' : '');
    if (why.guards.length > 1) {
      text += '; ' + why.guards.slice(1).map(function (i) { return '`' + guards[i].name + '`'; }).join(' and ') + ' do' + (why.guards.length === 2 ? 'es' : '') + ' not hold either';
    }
    return text;
  }

  var sim = fresh();
  var history = [];
  // What the user said of each guard of each transition ("ti/g": holds)
  // and which outcome each branching transition takes: kept while the
  // forms are drawn again, cleared by Reset. A guard holds only if ticked.
  var answers = {};
  var outcomes = {};
  function say(kind, text, why) {
    var m = $('message');
    m.className = 'message ' + kind;
    // Always in the page (empty when there is nothing to say): a live
    // region shown only when it speaks is not heard.
    m.textContent = text;
    m.setAttribute('data-why', why ? why.kind : '');
    m.setAttribute('data-guard', why && why.kind === 'guard' ? guards[why.guards[0]].name : '');
  }
  function formOf(event) { return document.querySelector('fieldset[data-event-form="' + CSS.escape(event) + '"]'); }
  // The outcome chosen for transition `ti` in its form (its first target
  // where there is no choice).
  function chosen(ti) {
    var t = transitions[ti];
    var form = formOf(t.event);
    var select = form && form.querySelector('select[data-outcome]');
    var to = select ? Number(select.value) : t.to[0];
    return t.to.indexOf(to) >= 0 ? to : t.to[0];
  }
  function renderSimulator() {
    if (regions) return rRender();
    var s = sim;
    document.body.setAttribute('data-current', states[s.current].name);
    document.body.setAttribute('data-clock-ms', String(s.clock));
    $('current').textContent = states[s.current].name;
    $('clock').textContent = when(s.clock);
    $('entered').textContent = when(s.entered);
    mark('current', [shown(s.current)]);
    var taken = [];
    s.trail.forEach(function (st) { taken = taken.concat(stepEls(st.transition, st.from, st.to)); });
    mark('taken', taken);
    // The edges a person may fire from here.
    var here = states[s.current].name;
    edgeEls.forEach(function (g) {
      var name = g.getAttribute('data-event');
      var fireable = !!name && names(g.getAttribute('data-from')).indexOf(here) >= 0 &&
        outgoing[s.current].some(function (ti) { var t = transitions[ti]; return t.event === name && !(t.timer && t.timer.automatic); });
      g.classList.toggle('fireable', fireable);
      if (fireable) g.setAttribute('aria-label', 'Fire ' + name + ' from ' + here);
    });
    var forms = clear($('events'));
    if (outgoing[s.current].length === 0) {
      forms.appendChild(el('p', { className: 'muted', text: states[s.current].final ? 'A final state: the workflow ends here.' : 'No event leaves this state.' }));
    }
    outgoing[s.current].forEach(function (ti) {
      var t = transitions[ti];
      var automatic = !!(t.timer && t.timer.automatic);
      var form = el('fieldset', { className: 'event', 'data-event-form': t.event, 'data-automatic': String(automatic) });
      form.appendChild(el('legend', { className: 'name', text: t.event }));
      if (t.timer) form.appendChild(timerLine(t, dueOf(s, ti), clockName(s, ti), s.clock));
      if (t.by.length) form.appendChild(el('p', { className: 'roles', text: byText(t) }));
      if (t.payload) form.appendChild(el('p', { className: 'payload', text: payloadText(t) }));
      addGuards(form, ti);
      allHold(form, t.event, t.guards.map(function (g) { return [ti, g]; }));
      addOutcome(form, ti);
      var buttons = [];
      if (t.timer && dueOf(s, ti) > s.clock) {
        buttons.push(el('button', { type: 'button', 'data-wait': t.event, text: automatic ? 'Wait for it' : 'Wait until due',
          onclick: function () { act(function (x) { x.clock = Math.max(x.clock, dueOf(x, ti)); runDue(x, chosen); return null; }); } }));
      }
      if (!automatic) {
        buttons.push(el('button', { type: 'button', className: 'primary', 'data-fire': t.event, text: 'Fire ' + t.event,
          onclick: function () {
            // The answers as the form shows them now, kept for next time.
            t.guards.forEach(function (g) { answers[ti + '/' + g] = holds(form, g); });
            act(function (x) { return fireEvent(x, t.event, function (g) { return answers[ti + '/' + g]; }, chosen, $('acting-as').value); });
          } }));
      }
      form.appendChild(el('div', { className: 'row' }, buttons));
      forms.appendChild(form);
    });
    var list = clear($('trail'));
    s.trail.forEach(function (st) {
      list.appendChild(el('li', { text: transitions[st.transition].event + ': ' + states[st.from].name + ' → ' + states[st.to].name + ' at ' + when(st.at) + whoText(st) }));
    });
    var refused = clear($('refused'));
    s.refused.forEach(function (r) { refused.appendChild(el('li', { text: r.event + ' at ' + when(r.at) + ': ' + r.words })); });
    $('refused-heading').hidden = s.refused.length === 0;
    $('undo').disabled = history.length === 0;
  }
  // A box per guard of transition `ti`: ticked, the guard holds.
  function addGuards(form, ti) {
    transitions[ti].guards.forEach(function (g) {
      var id = 'g-' + ti + '-' + g;
      var box = el('input', { type: 'checkbox', id: id, 'data-guard': guards[g].name, onchange: function () { answers[ti + '/' + g] = box.checked; saveLink(); } });
      box.checked = !!answers[ti + '/' + g];
      form.appendChild(el('div', {}, [
        box,
        el('label', { 'for': id, text: ' ' + guards[g].name + ' holds' + (guards[g].summary ? ' (' + guards[g].summary + ')' : '') })
      ]));
    });
  }
  // One button that ticks every guard of the form (`pairs`: transition,
  // guard), where there is more than one.
  function allHold(form, event, pairs) {
    if (pairs.length < 2) return;
    form.appendChild(el('div', { className: 'row' }, [el('button', { type: 'button', 'data-all-hold': event, text: 'All ' + pairs.length + ' guards hold',
      onclick: function () {
        pairs.forEach(function (p) { answers[p[0] + '/' + p[1]] = true; });
        form.querySelectorAll('input[data-guard]').forEach(function (b) { b.checked = true; });
      } })]));
  }
  // The outcome picker of a branching transition `ti`.
  function addOutcome(form, ti) {
    var t = transitions[ti];
    if (t.to.length < 2) return;
    var sid = 'o-' + ti;
    var picker = el('select', { id: sid, 'data-outcome': t.event, onchange: function () { outcomes[ti] = Number(picker.value); saveLink(); } },
      t.to.map(function (d) { return el('option', { value: String(d), text: states[d].name }); }));
    if (outcomes[ti] !== undefined) picker.value = String(outcomes[ti]);
    form.appendChild(el('div', { className: 'row' }, [el('label', { 'for': sid, text: 'Outcome' }), picker]));
  }
  // A timer's line in a form: when it falls due, counted from `since`
  // (entering `what`).
  function timerLine(t, due, what, clock) {
    var automatic = t.timer.automatic, left = due - clock;
    return el('p', { className: 'timer', text: (automatic ? 'Happens by itself ' : 'Not before ') + t.timer.text +
      ' after entering ' + what + ': ' + (automatic ? 'at ' : 'due at ') + when(due) + (left > 0 ? ' (in ' + compact(left) + ')' : ' (due now)') });
  }
  // The simulator of a workflow with regions: the configuration, what
  // it permits, and a form per event that leaves one of its states.
  function rRender() {
    var s = sim;
    document.body.setAttribute('data-current', s.config.map(function (st) { return states[st].name; }).join(' '));
    document.body.setAttribute('data-clock-ms', String(s.clock));
    $('clock').textContent = when(s.clock);
    var list = clear($('configuration'));
    s.config.forEach(function (st, r) {
      list.appendChild(el('li', { 'data-region': regions[r].name, 'data-state': states[st].name },
        [regions[r].name + ': ', el('strong', { text: states[st].name }), ', entered at ' + when(s.entered[r])]));
    });
    if (model.capabilities.length) {
      var held = model.capabilities.filter(function (c, k) { return rPermits(s.config, k); }).map(function (c) { return c.name; });
      $('permits-now').textContent = held.length ? held.join(', ') : 'nothing the definition names';
      $('permits-now').setAttribute('data-permits', held.join(' '));
    }
    mark('current', s.config.map(shown));
    var taken = [];
    s.trail.forEach(function (st) { st.moved.forEach(function (m) { taken = taken.concat(stepEls(m.transition, m.from, m.to)); }); });
    mark('taken', taken);
    var here = s.config.map(function (st) { return states[st].name; });
    var moveHere = function (e, r) { return moveOf(e.name, s.config[r]); };
    var offered = RM.events.filter(function (e) { return e.moved.some(function (r) { return moveHere(e, r) !== undefined; }); });
    var automaticOf = function (e) {
      return e.moved.some(function (r) { var ti = moveHere(e, r); return ti !== undefined && !!transitions[ti].timer && transitions[ti].timer.automatic; });
    };
    edgeEls.forEach(function (g) {
      var name = g.getAttribute('data-event');
      var from = names(g.getAttribute('data-from'));
      var e = name ? eventByName.get(name) : undefined;
      var fireable = !!e && offered.indexOf(e) >= 0 && !automaticOf(e) && here.some(function (h) { return from.indexOf(h) >= 0; });
      g.classList.toggle('fireable', fireable);
      if (fireable) g.setAttribute('aria-label', 'Fire ' + name + ' from ' + from.filter(function (h) { return here.indexOf(h) >= 0; }).join(', '));
    });
    var forms = clear($('events'));
    if (offered.length === 0) forms.appendChild(el('p', { className: 'muted', text: 'No event leaves these states.' }));
    offered.forEach(function (e) {
      var automatic = automaticOf(e);
      var form = el('fieldset', { className: 'event', 'data-event-form': e.name, 'data-automatic': String(automatic) });
      form.appendChild(el('legend', { className: 'name', text: e.name }));
      regionNotes(e.name).forEach(function (p) { form.appendChild(p); });
      e.conditions.forEach(function (c) {
        if (c.states.indexOf(s.config[c.region]) < 0) form.appendChild(el('p', { className: 'unmet', text: 'Not met now: ' + regions[c.region].name + ' is in ' + states[s.config[c.region]].name + '.' }));
      });
      var pairs = [], due = null;
      e.moved.forEach(function (r) {
        var ti = moveHere(e, r);
        if (ti === undefined) {
          form.appendChild(el('p', { className: 'unmet', text: 'Not from here: ' + regions[r].name + ' is in ' + states[s.config[r]].name + '.' }));
          return;
        }
        var t = transitions[ti];
        if (t.timer) {
          var at = s.entered[r] + t.timer.after_ms;
          form.appendChild(timerLine(t, at, states[s.config[r]].name, s.clock));
          if (at > s.clock && (due === null || at > due)) due = at;
        }
        if (t.by.length) form.appendChild(el('p', { className: 'roles', text: (e.moved.length > 1 ? regions[r].name + ': ' : '') + byText(t) }));
        if (t.payload) form.appendChild(el('p', { className: 'payload', text: payloadText(t) }));
        addGuards(form, ti);
        t.guards.forEach(function (g) { pairs.push([ti, g]); });
        addOutcome(form, ti);
      });
      allHold(form, e.name, pairs);
      var buttons = [];
      if (due !== null) {
        var until = due;
        buttons.push(el('button', { type: 'button', 'data-wait': e.name, text: automatic ? 'Wait for it' : 'Wait until due',
          onclick: function () { act(function (x) { x.clock = Math.max(x.clock, until); rRunDue(x, chosen); return null; }); } }));
      }
      if (!automatic) {
        buttons.push(el('button', { type: 'button', className: 'primary', 'data-fire': e.name, text: 'Fire ' + e.name,
          onclick: function () {
            pairs.forEach(function (p) { answers[p[0] + '/' + p[1]] = holds(form, p[1]); });
            var role = $('acting-as').value;
            act(function (x) {
              return rFire(x, e.name, function (ti, g) { return answers[ti + '/' + g]; }, chosen, role ? [role] : [], 'you', x.clock);
            });
          } }));
      }
      form.appendChild(el('div', { className: 'row' }, buttons));
      forms.appendChild(form);
    });
    var trail = clear($('trail'));
    s.trail.forEach(function (st) { trail.appendChild(el('li', { text: rStepText(st) })); });
    var refused = clear($('refused'));
    s.refused.forEach(function (r) { refused.appendChild(el('li', { text: r.event + ' at ' + when(r.at) + ': ' + r.words })); });
    $('refused-heading').hidden = s.refused.length === 0;
    $('undo').disabled = history.length === 0;
  }
  // A step of regions as the page lists it (the runtime's trail: the
  // event, each region it moved, when, and who).
  function rStepText(st) {
    return movedText(st) + ' at ' + when(st.at) + whoText(st);
  }
  // Who took a step and what it brought, as the trail records them: the
  // timer, the actor of a loaded instance (the simulator's own is "you"),
  // the role, the payload (its digest where the definition says
  // `sensitive`).
  function whoText(st) {
    return (st.actor === 'timer' ? ' (by itself)' : st.actor && st.actor !== 'you' ? ' by ' + st.actor : '') +
      (st.role ? ' as ' + st.role : '') + (st.payload ? ' with ' + st.payload : '');
  }
  function holds(form, g) {
    var box = form.querySelector('input[data-guard="' + CSS.escape(guards[g].name) + '"]');
    return !!(box && box.checked);
  }
  // A user's action on a copy of the simulation: kept (and undoable) when
  // it changed anything; the refusal, if any, is said.
  function act(change) {
    stopPlaying();
    var before = sim;
    var next = copy(sim);
    var why = change(next);
    var changed = next.trail.length !== before.trail.length || next.clock !== before.clock;
    if (changed) { history.push(before); sim = next; }
    // A refused attempt is listed; it changes nothing Undo would undo.
    if (why) sim.refused.push({ event: why.event, at: sim.clock, words: words(why, sim.current) });
    if (why) say('refused', words(why, sim.current), why);
    else if (changed && next.trail.length > before.trail.length) {
      var last = next.trail[next.trail.length - 1];
      say('moved', regions ? rStepText(last) : transitions[last.transition].event + ': ' + states[last.from].name + ' → ' + states[last.to].name + ' at ' + when(last.at));
    } else say('moved', 'Clock: ' + when(sim.clock) + '. Still in ' + whereText() + '.');
    show();
    revealMessage();
  }
  // The result of an action in sight: where the events above it are many
  // (or the page is narrow), the panel scrolls just enough to show it.
  function revealMessage() {
    var m = $('message').getBoundingClientRect();
    if (m.height && (m.bottom > window.innerHeight || m.top < 0)) $('message').scrollIntoView({ block: 'nearest' });
  }
  // The simulator drawn again, with the details following the current
  // state and the way it took. The control the user acted with keeps the
  // keyboard focus (or, where it is gone, the first control of the events).
  function show() {
    var focused = document.activeElement;
    var inEvents = !!(focused && focused.closest && focused.closest('#events'));
    var key = null;
    if (inEvents) {
      ['data-fire', 'data-wait', 'data-all-hold', 'id'].forEach(function (a) {
        if (key === null && focused.getAttribute(a)) key = '[' + a + '="' + CSS.escape(focused.getAttribute(a)) + '"]';
      });
    }
    renderSimulator();
    if (regions) showConfiguration();
    else select(sim.current, sim.trail);
    saveLink();
    if (inEvents) {
      var again = (key && $('events').querySelector(key)) || $('events').querySelector('button, input, select') || $('undo');
      again.focus({ preventScroll: true });
    }
  }
  // Where the simulation is, in words: the state, or every region's.
  function whereText() { return regions ? configText(sim.config) : states[sim.current].name; }
  // The details of the configuration the simulator is in: each region's
  // state, what the configuration permits, and the way taken.
  function showConfiguration() {
    selected = null;
    mark('selected', []);
    mark('on-path', []);
    var box = clear($('details'));
    box.appendChild(el('h2', { text: 'Configuration' }));
    box.appendChild(el('ul', { className: 'configuration' }, sim.config.map(function (st, r) {
      return el('li', {}, [regions[r].name + ': ', el('strong', { text: states[st].name }), states[st].summary ? ': ' + states[st].summary : '']);
    })));
    if (model.capabilities.length) {
      box.appendChild(el('h3', { text: 'Permits' }));
      box.appendChild(el('p', { className: 'muted', text: 'A capability holds where no region that names it forbids it.' }));
      var held = model.capabilities.filter(function (c, k) { return rPermits(sim.config, k); });
      if (held.length === 0) box.appendChild(el('p', { className: 'muted', text: 'Nothing the definition names.' }));
      else box.appendChild(el('ul', { className: 'permits' }, held.map(function (cap) {
        return el('li', { className: 'capability' }, [el('code', { text: cap.name }), cap.summary ? ': ' + cap.summary : '']);
      })));
    }
    if (sim.trail.length) {
      box.appendChild(el('h3', { text: 'The way taken here' }));
      box.appendChild(el('ol', { className: 'trail', 'aria-label': 'Steps the simulator took' }, sim.trail.map(function (st) {
        return el('li', { text: rStepText(st) });
      })));
    }
  }
  // The amount as typed (1.5 days is 36 hours), to the millisecond.
  $('advance').addEventListener('click', function () {
    var amount = Math.max(0, Number($('advance-amount').value) || 0);
    var unit = Number($('advance-unit').value);
    act(function (x) { x.clock += Math.round(amount * unit); (regions ? rRunDue : runDue)(x, chosen); return null; });
  });
  $('advance-amount').addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); $('advance').click(); }
  });
  // No timer anywhere: nothing to move the clock on to.
  if (!transitions.some(function (t) { return t.timer; })) $('next-timer').hidden = true;
  $('next-timer').addEventListener('click', function () {
    act(function (x) {
      var next = null;
      // Each region's timers count from its own entry.
      (regions ? x.config : [x.current]).forEach(function (at0, r) {
        outgoing[at0].forEach(function (ti) {
          var t = transitions[ti];
          if (!t.timer) return;
          var at = regions ? x.entered[r] + t.timer.after_ms : dueOf(x, ti);
          if (at > x.clock && (next === null || at < next)) next = at;
        });
      });
      if (next !== null) { x.clock = next; (regions ? rRunDue : runDue)(x, chosen); }
      return null;
    });
  });
  $('in-place-cancel').addEventListener('click', function () { $('in-place').close(); });
  $('undo').addEventListener('click', function () {
    stopPlaying();
    var last = history.pop();
    if (!last) return;
    sim = last;
    say('moved', 'Undone: back in ' + whereText() + ' at ' + when(sim.clock));
    show();
  });
  // `keep`: the user's answers and outcomes stay (a path played starts
  // the simulation again, not the user's choices).
  function reset(keep) {
    stopPlaying();
    sim = fresh();
    origin = null;
    history = [];
    if (keep !== true) {
      answers = {};
      outcomes = {};
    }
    say('', '');
    show();
  }
  $('reset').addEventListener('click', function () { reset(); });

  // The test plan: sequences that together take every transition, played
  // through the same rules (each guard holding, the clock moved on to each
  // timer); any other action stops the playing.
  var timerId = null;
  function stopPlaying() {
    if (timerId !== null) clearTimeout(timerId);
    timerId = null;
    document.body.setAttribute('data-playing', 'false');
  }
  // A step of a path, or of a promise's run: a run's step says when it
  // happens (`at_ms`) and who takes it (`role`); a path's happens as soon
  // as its timer allows, by the first role of its transition.
  function playStep(st) {
    var t = transitions[st.transition];
    var choose = function (ti) { return ti === st.transition ? st.to : transitions[ti].to[0]; };
    if (t.from.indexOf(sim.current) < 0) return { kind: 'not_allowed', event: t.event };
    var before = sim;
    sim = copy(sim);
    history.push(before);
    if (st.at_ms !== undefined) { sim.clock = Math.max(sim.clock, st.at_ms); }
    else if (t.timer) { sim.clock = Math.max(sim.clock, dueOf(sim, st.transition)); }
    if (t.timer && t.timer.automatic) { runDue(sim, choose); return null; }
    runDue(sim, choose);
    var role = st.role !== undefined ? (st.role || '') : (t.by.length ? t.by[0] : '');
    return fireEvent(sim, t.event, function () { return true; }, choose, role);
  }
  // A step of a run over configurations (`event`, the configuration it
  // leads to): the clock moved on to each timer of its moves, played by
  // someone holding the first role of each move, each branch taking the
  // outcome the run goes to.
  function rPlayStep(st) {
    var e = eventByName.get(st.event);
    var choose = function (ti) {
      var r = regionOf[transitions[ti].from[0]];
      return transitions[ti].to.indexOf(st.config[r]) >= 0 ? st.config[r] : transitions[ti].to[0];
    };
    var moves = e.moved.map(function (r) { return { region: r, transition: moveOf(e.name, sim.config[r]) }; });
    var away = moves.filter(function (m) { return m.transition === undefined; })[0];
    if (away) return { kind: 'not_allowed', event: e.name, state: sim.config[away.region] };
    var before = sim;
    sim = copy(sim);
    history.push(before);
    var automatic = false, roles = [];
    moves.forEach(function (m) {
      var t = transitions[m.transition];
      if (t.timer) sim.clock = Math.max(sim.clock, sim.entered[m.region] + t.timer.after_ms);
      if (t.timer && t.timer.automatic) automatic = true;
      if (t.by.length && roles.indexOf(t.by[0]) < 0) roles.push(t.by[0]);
    });
    if (automatic) {
      var d = rNextDue(sim);
      if (d && d.event === e.name) sim.clock = Math.max(sim.clock, d.at);
      rRunDue(sim, choose);
      return null;
    }
    rRunDue(sim, choose);
    return rFire(sim, e.name, function () { return true; }, choose, roles, 'you', sim.clock);
  }
  function play(k) {
    playSteps(planPath(k), 'Path ' + (k + 1), null);
  }
  // Plays `steps` from `start` (the initial state if null), entered at T.
  function playSteps(steps, label, start, done) {
    reset(true);
    if (start !== null && start !== undefined) { sim.current = start; show(); }
    document.body.setAttribute('data-playing', 'true');
    var n = 0;
    (function next() {
      timerId = null;
      if (n >= steps.length) {
        stopPlaying();
        say('moved', done || (label + ' played: ' + steps.length + ' steps, now in ' + whereText() + '.'));
        return;
      }
      var st = steps[n++];
      var why = regions ? rPlayStep(st) : playStep(st);
      var landed = regions ? sim.config.join() === st.config.join() : sim.current === st.to;
      if (why || !landed) {
        stopPlaying();
        say('refused', label + ' stops at step ' + n + (why ? ': ' + words(why, sim.current) : ''), why);
        show();
        return;
      }
      var last = sim.trail[sim.trail.length - 1];
      // Who took the step: the timer, or the role the path fires it as.
      var who = last.actor === 'timer' ? ' (by itself)' : last.role ? ' as ' + last.role : '';
      say('moved', regions ? rStepText(last) : transitions[last.transition].event + ': ' + states[last.from].name + ' → ' + states[last.to].name + ' at ' + when(last.at) + who);
      show();
      document.body.setAttribute('data-playing', 'true');
      timerId = setTimeout(next, Number(document.body.getAttribute('data-step-ms') || 450));
    })();
  }
  // Who the simulator acts as: one of the definition's roles, or none.
  if (model.roles.length) {
    $('acting').hidden = false;
    model.roles.forEach(function (r) {
      $('acting-as').appendChild(el('option', { value: r.name, text: r.name + (r.summary ? ': ' + r.summary : '') }));
    });
    // The first role the definition declares, so that a first Fire shows
    // the workflow rather than a refusal; "no role" stays one choice away.
    $('acting-as').value = model.roles[0].name;
  }
  // The test plan's paths, built when shown: the shortest way to the
  // path's last source (the model's `tree`), then its last step.
  // With regions, the checker's runs over configurations (none where
  // they were too many to explore or embed).
  var planRuns = regions ? (RM.plan || []) : model.plan;
  function planPath(k) {
    if (regions) return configSteps(RM.plan[k]);
    var last = model.plan[k];
    if (!last) return [];
    var steps = [{ transition: last[0], to: last[2] }];
    for (var at = last[1]; model.tree[at]; at = model.tree[at][1]) steps.push({ transition: model.tree[at][0], to: at });
    return steps.reverse();
  }
  // A hundred at a time: a large workflow's plan has thousands.
  var plan = $('plan');
  var PLAN_PAGE = 100;
  var planShown = 0;
  function showPlan() {
    var more = plan.querySelector('li.more');
    if (more) plan.removeChild(more);
    var end = Math.min(planRuns.length, planShown + PLAN_PAGE);
    for (var k = planShown; k < end; k++) {
      var steps = planPath(k);
      var text = 'Path ' + (k + 1) + ': ' + (steps.length ? steps.map(function (st) {
        if (regions) return st.event + ' \u2192 ' + st.moved.map(function (m) { return states[m.to].name; }).join(' and ');
        return transitions[st.transition].event + ' → ' + states[st.to].name;
      }).join(', ') : 'stay in ' + states[model.initial].name);
      plan.appendChild(el('li', {}, [el('button', { type: 'button', 'data-path': String(k), text: text, onclick: (function (k) { return function () { play(k); }; })(k) })]));
    }
    planShown = end;
    if (planShown < planRuns.length) {
      plan.appendChild(el('li', { className: 'more' }, [el('button', { type: 'button', 'data-more': 'plan',
        text: 'Show ' + Math.min(PLAN_PAGE, planRuns.length - planShown) + ' more of ' + (planRuns.length - planShown) + ' paths left',
        onclick: showPlan })]));
    }
  }
  showPlan();

  // The definition's promises: each holds, or its run can be played.
  if (model.promises.length) $('promises-section').hidden = false;
  model.promises.forEach(function (p, k) {
    var head = (p.holds ? '\u2713 ' : '\u2717 ') + p.name + (p.summary ? ': ' + p.summary : '');
    var item = el('li', { 'data-promise': p.name, 'data-holds': String(p.holds) }, [el('p', { text: head })]);
    if (!p.holds) {
      item.appendChild(el('p', { className: 'muted', text: 'Broken: ' + p.why }));
      if (p.run) {
        item.appendChild(el('button', { type: 'button', 'data-play-promise': p.name, text: 'Play the run that breaks it', onclick: function () {
          playSteps(p.run.steps, 'The run that breaks ' + p.name, p.run.start, 'Played the run that breaks ' + p.name + ': ' + p.why + '.');
        } }));
      }
    }
    $('promises').appendChild(item);
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

  // Zoom: the diagram drawn at `zoom` times its size (0.25 to 4), by the
  // toolbar's buttons, + and - (0 for its size) while the diagram has the
  // focus, Ctrl and the wheel (a trackpad's pinch), two fingers; it pans
  // by scrolling, by dragging its background, and on the minimap. Fit to
  // width never draws larger than drawn nor so small that text falls
  // under 10 CSS px (the smallest text is drawn at 11 px): past that, the
  // diagram scrolls.
  var LEGIBLE = 10 / 11, MIN_ZOOM = 0.25, MAX_ZOOM = 4;
  var zoom = 1;
  function natural() { return svg.width && svg.width.baseVal ? svg.width.baseVal.value : 0; }
  // Zooms to `z`, keeping the point of the diagram under (x, y) (client
  // pixels; the middle of the diagram if not given) where it was.
  function zoomTo(z, x, y, fit) {
    var d = $('diagram'), box = d.getBoundingClientRect();
    z = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
    var w = natural();
    if (!w) return;
    if (x === undefined) { x = box.left + d.clientWidth / 2; y = box.top + d.clientHeight / 2; }
    var r = svg.getBoundingClientRect();
    var px = (x - r.left) / r.width, py = (y - r.top) / r.height;
    d.classList.add('scaled');
    d.classList.toggle('fit', !!fit);
    $('fit').setAttribute('aria-pressed', String(!!fit));
    svg.style.width = Math.round(w * z) + 'px';
    svg.style.minWidth = '';
    zoom = z;
    var after = svg.getBoundingClientRect();
    d.scrollLeft += (after.left + px * after.width) - x;
    d.scrollTop += (after.top + py * after.height) - y;
    $('zoom-level').textContent = Math.round(z * 100) + '%';
    minimap();
  }
  $('fit').addEventListener('click', function () {
    if ($('diagram').classList.contains('fit')) { zoomTo(1); return; }
    var w = natural(), room = $('diagram').clientWidth;
    if (w) zoomTo(Math.max(LEGIBLE, Math.min(1, room / w)), undefined, undefined, true);
  });
  $('zoom-in').addEventListener('click', function () { zoomTo(zoom * 1.25); });
  $('zoom-out').addEventListener('click', function () { zoomTo(zoom / 1.25); });
  $('zoom-level').addEventListener('click', function () { zoomTo(1); });
  $('diagram').addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || (e.target.closest && e.target.closest('input, select, textarea'))) return;
    if (e.key === '+' || e.key === '=') { e.preventDefault(); zoomTo(zoom * 1.25); }
    else if (e.key === '-') { e.preventDefault(); zoomTo(zoom / 1.25); }
    else if (e.key === '0') { e.preventDefault(); zoomTo(1); }
  });
  $('diagram').addEventListener('wheel', function (e) {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoomTo(zoom * Math.exp(-e.deltaY * 0.002), e.clientX, e.clientY);
  }, { passive: false });
  // Two fingers pinch; a mouse drags the background to pan.
  var pointers = new Map(), pinch = null, drag = null;
  function spread() {
    var p = Array.from(pointers.values());
    return { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y), x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2 };
  }
  $('diagram').addEventListener('pointerdown', function (e) {
    if (e.pointerType === 'touch') {
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pointers.size === 2) pinch = { start: spread(), zoom: zoom };
    } else if (e.button === 0 && !e.target.closest('g.state, g.edge, g.compound, .toolbar, button')) {
      drag = { x: e.clientX, y: e.clientY, left: $('diagram').scrollLeft, top: $('diagram').scrollTop };
    }
  });
  window.addEventListener('pointermove', function (e) {
    if (pointers.has(e.pointerId)) {
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pinch && pointers.size === 2) {
        var now = spread();
        if (pinch.start.d > 0) zoomTo(pinch.zoom * now.d / pinch.start.d, now.x, now.y);
      }
    } else if (drag) {
      $('diagram').scrollLeft = drag.left - (e.clientX - drag.x);
      $('diagram').scrollTop = drag.top - (e.clientY - drag.y);
    }
  });
  function lift(e) { pointers.delete(e.pointerId); if (pointers.size < 2) pinch = null; drag = null; }
  window.addEventListener('pointerup', lift);
  window.addEventListener('pointercancel', lift);
  // The minimap: the whole diagram small, with the part in sight framed,
  // shown once the diagram is larger than its panel; a click or a drag on
  // it brings that part into sight.
  function minimap() {
    var d = $('diagram'), map = $('minimap');
    var over = svg.scrollWidth > d.clientWidth + 1 || svg.getBoundingClientRect().height > d.clientHeight - 40;
    map.hidden = !over;
    if (!over) return;
    // The diagram itself, drawn again small (`<use>`: no copy, no request).
    svg.id = 'ts-drawing';
    var view = map.querySelector('svg'), vb = svg.viewBox && svg.viewBox.baseVal;
    if (vb) view.setAttribute('viewBox', vb.x + ' ' + vb.y + ' ' + vb.width + ' ' + vb.height);
    var r = svg.getBoundingClientRect(), box = d.getBoundingClientRect(), frame = map.querySelector('.frame');
    // At most 160 × 120 px, the diagram's proportions kept.
    var aspect = r.height / r.width, mw = 160, mh = 160 * aspect;
    if (mh > 120) { mh = 120; mw = 120 / aspect; }
    map.style.width = Math.round(mw) + 'px';
    map.style.height = Math.round(mh) + 'px';
    // Over the drawing's foot, not below it (the diagram keeps its size).
    map.style.marginTop = -Math.round(mh + 2) + 'px';
    frame.style.left = Math.max(0, (box.left - r.left) / r.width * mw) + 'px';
    frame.style.top = Math.max(0, (box.top - r.top) / r.height * mh) + 'px';
    frame.style.width = Math.min(mw, d.clientWidth / r.width * mw) + 'px';
    frame.style.height = Math.min(mh, d.clientHeight / r.height * mh) + 'px';
  }
  function minimapGo(e) {
    var map = $('minimap'), m = map.getBoundingClientRect(), d = $('diagram');
    var r = svg.getBoundingClientRect();
    var fx = (e.clientX - m.left) / m.width, fy = (e.clientY - m.top) / m.height;
    d.scrollLeft += (r.left + fx * r.width) - (d.getBoundingClientRect().left + d.clientWidth / 2);
    d.scrollTop += (r.top + fy * r.height) - (d.getBoundingClientRect().top + d.clientHeight / 2);
  }
  var mapDrag = false;
  $('minimap').addEventListener('pointerdown', function (e) { mapDrag = true; e.preventDefault(); minimapGo(e); });
  window.addEventListener('pointermove', function (e) { if (mapDrag) minimapGo(e); });
  window.addEventListener('pointerup', function () { mapDrag = false; });
  $('diagram').addEventListener('scroll', function () { if (!$('minimap').hidden) minimap(); });
  window.addEventListener('resize', minimap);

  // The link: the URL's fragment holds the simulation (each step taken and
  // the clock) and the selected state, so that a link shows what its
  // sender saw and a reload loses nothing. Written as the page changes.
  function saveLink() {
    var data = {
      state: selected === null ? null : states[selected].name,
      clock: sim.clock,
      steps: sim.trail.map(function (st) {
        if (regions) {
          return [st.event, st.moved.map(function (m) { return [regions[m.region].name, states[m.from].name, states[m.to].name]; }), st.at, st.actor, st.role || ''];
        }
        return [transitions[st.transition].event, states[st.from].name, states[st.to].name, st.at, st.actor, st.role || ''];
      })
    };
    // The user's answers (the guards ticked) and chosen outcomes, and T.
    var ticked = Object.keys(answers).filter(function (k) { return answers[k]; });
    if (ticked.length) data.answers = ticked;
    if (Object.keys(outcomes).length) data.outcomes = outcomes;
    data.t0 = base;
    var untouched = data.steps.length === 0 && data.clock === 0 && !ticked.length && !data.outcomes &&
      (selected === null || (!regions && selected === model.initial));
    var hash = untouched ? '' : '#sim=' + encodeURIComponent(JSON.stringify(data));
    if (location.hash === hash) return;
    try { window.history.replaceState(null, '', hash || location.pathname + location.search); } catch (e) { /* a page that may not change its URL */ }
  }
  // The simulation a link holds, replayed along the definition's
  // transitions; a link that does not fit the workflow is said and left.
  function restoreLink(link) {
    var m = /^#sim=(.*)$/.exec(link);
    if (!m) return;
    var data;
    try { data = JSON.parse(decodeURIComponent(m[1])); } catch (e) { data = null; }
    var s = fresh();
    var kept = [];
    var fits = !!data && Array.isArray(data.steps) && typeof data.clock === 'number';
    (fits ? data.steps : []).forEach(function (step) {
      if (!fits) return;
      if (regions) { fits = rReplay(s, step, kept); return; }
      var ti = outgoing[s.current].filter(function (i) { return transitions[i].event === step[0]; })[0];
      var to = byName.get(step[2]);
      var at = Number(step[3]);
      if (ti === undefined || states[s.current].name !== step[1] || transitions[ti].to.indexOf(to) < 0 || !(at >= s.clock)) { fits = false; return; }
      kept.push(copy(s));
      s.clock = at;
      take(s, ti, to, at, step[4] === 'timer' ? 'timer' : 'you', step[5] || null);
    });
    if (!fits || data.clock < s.clock) {
      say('refused', 'The link holds a simulation this workflow cannot take: it was left out.');
      return;
    }
    s.clock = data.clock;
    sim = s;
    history = kept;
    if (typeof data.t0 === 'number' && isFinite(data.t0)) { base = data.t0; showBase(); }
    // The answers and outcomes, where they name a guard of a transition
    // and one of its targets.
    (Array.isArray(data.answers) ? data.answers : []).forEach(function (k) {
      var p = /^(\d+)\/(\d+)$/.exec(String(k));
      if (p && transitions[+p[1]] && transitions[+p[1]].guards.indexOf(+p[2]) >= 0) answers[+p[1] + '/' + +p[2]] = true;
    });
    Object.keys(data.outcomes && typeof data.outcomes === 'object' ? data.outcomes : {}).forEach(function (ti) {
      var t = transitions[+ti], to = Number(data.outcomes[ti]);
      if (t && t.to.indexOf(to) >= 0) outcomes[+ti] = to;
    });
    show();
    var chosen = data.state === null ? undefined : byName.get(data.state);
    if (chosen !== undefined && (regions || chosen !== sim.current)) { select(chosen); saveLink(); }
  }
  // One step of a link to a simulation of regions, taken again if it is
  // one of the definition's moves from where the regions are: the event,
  // each region it moved (name, from, to), when, who and in which role.
  function rReplay(s, step, kept) {
    var e = eventByName.get(step[0]);
    var at = Number(step[2]);
    if (!e || !Array.isArray(step[1]) || step[1].length !== e.moved.length || !(at >= s.clock)) return false;
    var moves = [];
    for (var k = 0; k < e.moved.length; k++) {
      var r = e.moved[k], entry = step[1][k], ti = moveOf(e.name, s.config[r]);
      var to = Array.isArray(entry) ? byName.get(entry[2]) : undefined;
      if (!Array.isArray(entry) || entry[0] !== regions[r].name || entry[1] !== states[s.config[r]].name ||
        ti === undefined || transitions[ti].to.indexOf(to) < 0 || at < s.entered[r]) return false;
      moves.push({ region: r, transition: ti, from: s.config[r], to: to });
    }
    kept.push(copy(s));
    s.clock = at;
    moves.forEach(function (m) { s.config[m.region] = m.to; s.entered[m.region] = at; });
    s.trail.push({ event: e.name, at: at, actor: step[3] === 'timer' ? 'timer' : 'you', role: step[4] || null, moved: moves });
    return true;
  }

  // With regions, the simulator shows one state per region, each with
  // the instant it entered it, and what the configuration permits.
  if (regions) {
    $('current').parentNode.replaceWith(el('div', { id: 'configuration-box' }, [
      el('p', { id: 'regions-note', text: 'This workflow runs ' + regions.length + ' regions side by side (' +
        regions.map(function (r) { return r.name; }).join(', ') + '), one state each: an event moves the regions it is written in, all of them or none.' }),
      el('ul', { id: 'configuration', className: 'configuration', 'aria-label': 'Each region\u2019s state' }),
      model.capabilities.length ? el('p', {}, ['Permits now: ', el('span', { id: 'permits-now' })]) : null
    ]));
    if (!RM.plan) plan.parentNode.insertBefore(el('p', { id: 'plan-note', className: 'muted',
      text: 'The regions have too many configurations together to list runs that take every transition.' }), plan);
  }
  // Snapshots: the runtime's envelope (`turnstile::snapshot`, as JSON),
  // opened and checked as `Instance::from_envelope` checks it (or, with
  // regions, `Current::from_snapshot`), in the runtime's words, and the
  // simulation written back as one. The page keeps instants relative to
  // `base`, the absolute instant of T (ms since the epoch): the loaded
  // instance's start, or the second the page was opened.
  var FORMAT = 'turnstile-instance/2', FORMAT_1 = 'turnstile-instance/1', REGIONS_FORMAT = 'turnstile-regions/1';
  var base = Math.floor(Date.now() / 1000) * 1000;
  // The loaded instance's data, written back on export (the simulator
  // does not model the data: without a loaded instance it is null).
  var loadedData = null;
  function iso(ms) { return new Date(ms).toISOString(); }
  function showBase() {
    document.body.setAttribute('data-t0-ms', String(base));
    $('t-note').textContent = '(T is when the workflow started: ' + iso(base) + ')';
  }
  // The fields of an envelope: `need` must be there, nothing but `may`.
  function fields(env, need, may) {
    for (var k = 0; k < need.length; k++) if (!(need[k] in env)) return 'missing field `' + need[k] + '`';
    var known = need.concat(may);
    var extra = Object.keys(env).filter(function (f) { return known.indexOf(f) < 0; })[0];
    return extra === undefined ? null : 'unknown field `' + extra + '`';
  }
  // An instant as the envelope writes it (RFC 3339), as ms since the epoch.
  function instant(text) { return typeof text === 'string' && /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : NaN; }
  // Opens `env` (a parsed envelope) as of `asOf` (an RFC 3339 instant,
  // or none: the last instant it records): null, or why not.
  function loadSnapshot(env, asOf) {
    var name = model.name;
    var malformed = function (m) { return name + ': malformed snapshot: ' + m; };
    if (!env || typeof env !== 'object' || Array.isArray(env)) return malformed('it is not an object');
    if (regions) return rLoadSnapshot(env, asOf, malformed);
    if (env.format !== FORMAT && env.format !== FORMAT_1) {
      return 'not a turnstile instance snapshot this version reads: format `' + env.format + '` (expected `' + FORMAT + '`)';
    }
    if (env.workflow !== name) return name + ': the snapshot is of the workflow `' + env.workflow + '`';
    if (env.fingerprint !== model.fingerprint) {
      return name + ': the snapshot was taken under another version of the definition (fingerprint ' + env.fingerprint +
        ', the definition compiled in is ' + model.fingerprint + '); load it with `Instance::migrate`';
    }
    var v2 = env.format === FORMAT;
    var wrong = fields(env, ['format', 'workflow', 'fingerprint', 'state', 'entered_at', 'data', 'trail'].concat(v2 ? ['started_at'] : []), []);
    if (wrong) return malformed(wrong);
    var started = v2 ? instant(env.started_at) : null, entered = instant(env.entered_at);
    if ((v2 && isNaN(started)) || isNaN(entered) || !Array.isArray(env.trail)) return malformed('an instant or the trail does not read');
    for (var k = 0; k < env.trail.length; k++) {
      var st = env.trail[k];
      // A migration step (`Step::migrated`): the steps before it were taken
      // under another version, whose transitions the page does not have.
      if (st && st.migrated && typeof st.migrated === 'object') {
        return name + ': the trail crosses versions of the definition at step ' + k + ' (a migration from ' + st.migrated.from +
          '): the page replays the steps of one version only; the runtime (`Instance::from_envelope`) loads it';
      }
      if (!st || typeof st.from !== 'string' || typeof st.event !== 'string' || typeof st.to !== 'string' || isNaN(instant(st.at)) ||
        fields(st, ['from', 'event', 'to', 'at', 'actor'], ['role', 'payload'])) return malformed('step ' + k + ' does not read');
    }
    var at0 = byName.get(env.state);
    if (at0 === undefined) return name + ': the snapshot\'s state `' + env.state + '` is not a state of the workflow';
    var t0 = v2 ? started : Math.min(entered, env.trail.length ? instant(env.trail[0].at) : entered);
    var broken = function (i, p) { return name + ': the audit trail does not replay at step ' + i + ': ' + p; };
    var s = fresh();
    var since = v2 ? 0 : null;
    for (k = 0; k < env.trail.length; k++) {
      st = env.trail[k];
      var here = states[s.current].name;
      if (st.from !== here) return broken(k, 'it starts from `' + st.from + '`, but the instance was in `' + here + '`');
      var to = byName.get(st.to);
      var ti = outgoing[s.current].filter(function (i) { return transitions[i].event === st.event && transitions[i].to.indexOf(to) >= 0; })[0];
      if (ti === undefined) return broken(k, '`' + st.from + '` --' + st.event + '--> `' + st.to + '` is not a transition of the definition');
      var at = instant(st.at) - t0;
      if (since !== null) {
        if (at < since) return broken(k, 'it is earlier than ' + (k === 0 ? 'the instance\'s start' : 'the step before it'));
        var timed = outgoing[s.current].filter(function (i) { return transitions[i].event === st.event && transitions[i].timer; })[0];
        if (timed !== undefined && at < dueOf(s, timed)) {
          return broken(k, '`' + st.event + '` was taken before its timer (' + transitions[timed].timer.after + ' after entering `' + clockName(s, timed) + '`) was due');
        }
      }
      take(s, ti, to, at, st.actor, st.role || null);
      if (st.payload) s.trail[s.trail.length - 1].payload = st.payload;
      since = at;
    }
    if (s.current !== at0) return broken(env.trail.length, 'it ends in `' + states[s.current].name + '`, but the stored state is `' + env.state + '`');
    if (env.trail.length && instant(env.trail[env.trail.length - 1].at) !== entered) {
      return broken(env.trail.length, 'the state was entered at another instant than the last step\'s');
    }
    if (!env.trail.length && v2 && started !== entered) return broken(0, 'with no step, the initial state was entered at another instant than the start');
    s.entered = entered - t0;
    s.clock = Math.max(s.entered, isNaN(instant(asOf)) ? 0 : instant(asOf) - t0);
    opened(s, t0, env.data);
    return null;
  }
  // The instance opened: simulated on from there (Undo stops at it).
  function opened(s, t0, data) {
    stopPlaying();
    base = t0;
    loadedData = data === undefined ? null : data;
    sim = s;
    history = [];
    showBase();
    show();
    say('moved', 'Opened the instance: in ' + whereText() + ', ' + s.trail.length + ' steps taken; the clock is at ' + when(s.clock) + '.');
  }
  // Where the trail of a loaded configuration starts (`start`): null for
  // the initial configuration at T.
  var origin = null;
  function debugList(names) { return '[' + names.map(function (n) { return '"' + n + '"'; }).join(', ') + ']'; }
  // A snapshot of a workflow with regions, checked as the generated
  // `Current::from_snapshot` checks it (`turnstile::regions::replay`).
  function rLoadSnapshot(env, asOf, malformed) {
    var name = model.name;
    if (env.format !== REGIONS_FORMAT) {
      return 'not a turnstile instance snapshot this version reads: format `' + env.format + '` (expected `' + REGIONS_FORMAT + '`)';
    }
    if (env.workflow !== name) return name + ': the snapshot is of the workflow `' + env.workflow + '`';
    if (env.fingerprint !== model.fingerprint) {
      return name + ': the snapshot was taken under another version of the definition (fingerprint ' + env.fingerprint +
        ', the definition compiled in is ' + model.fingerprint + '); load it with `Instance::migrate`';
    }
    var wrong = fields(env, ['format', 'workflow', 'fingerprint', 'start', 'regions', 'data', 'trail'], []);
    if (wrong) return malformed(wrong);
    var readable = function (list) {
      return Array.isArray(list) && list.every(function (r) { return r && typeof r.region === 'string' && typeof r.state === 'string' && !isNaN(instant(r.entered_at)) && !fields(r, ['region', 'state', 'entered_at'], []); });
    };
    if (!readable(env.regions) || !readable(env.start) || !Array.isArray(env.trail)) return malformed('a configuration or the trail does not read');
    for (var k = 0; k < env.trail.length; k++) {
      var st = env.trail[k];
      if (!st || typeof st.event !== 'string' || isNaN(instant(st.at)) || !Array.isArray(st.moved) ||
        fields(st, ['event', 'at', 'actor', 'moved'], ['role', 'payload']) ||
        !st.moved.every(function (m) { return m && typeof m.region === 'string' && typeof m.from === 'string' && typeof m.to === 'string'; })) {
        return malformed('step ' + k + ' does not read');
      }
    }
    var names = regions.map(function (r) { return r.name; });
    // A stored configuration as states, or the runtime's words.
    var read = function (list) {
      var found = list.map(function (r) { return r.region; });
      if (found.join('\n') !== names.join('\n')) return name + ': not a configuration of its regions: the regions are ' + debugList(found) + ', not ' + debugList(names);
      var config = [];
      for (var r = 0; r < list.length; r++) {
        var i = byName.get(list[r].state);
        if (i === undefined) return name + ': the snapshot\'s state `' + list[r].state + '` is not a state of the workflow';
        if (regionOf[i] !== r) return name + ': not a configuration of its regions: `' + list[r].state + '` is not a state of region `' + names[r] + '`';
        config.push(i);
      }
      return config;
    };
    var end = read(env.regions);
    if (typeof end === 'string') return end;
    var start = read(env.start);
    if (typeof start === 'string') return start;
    var t0 = Math.min.apply(null, env.start.map(function (r) { return instant(r.entered_at); }));
    var s = rFresh();
    s.config = start.slice();
    s.entered = env.start.map(function (r) { return instant(r.entered_at) - t0; });
    var broken = function (i, p) { return name + ': the audit trail does not replay at step ' + i + ': ' + p; };
    for (k = 0; k < env.trail.length; k++) {
      st = env.trail[k];
      if (st.moved.length === 0) return broken(k, '`' + st.event + '` moves no region');
      var at = instant(st.at) - t0, moves = [];
      for (var j = 0; j < st.moved.length; j++) {
        var m = st.moved[j], r = names.indexOf(m.region);
        if (r < 0) return broken(k, 'there is no region `' + m.region + '`');
        if (at < s.entered[r]) return broken(k, '`' + st.event + '` moves region `' + m.region + '` before it entered `' + m.from + '`');
        if (states[s.config[r]].name !== m.from) return broken(k, '`' + st.event + '` leaves `' + m.from + '` of region `' + m.region + '`, which is in `' + states[s.config[r]].name + '`');
        var from = byName.get(m.from), to = byName.get(m.to);
        var ti = moveOf(st.event, from);
        if (ti === undefined || regionOf[from] !== r || transitions[ti].to.indexOf(to) < 0) {
          return broken(k, '`' + st.event + '` takes region `' + m.region + '` from `' + m.from + '` to `' + m.to + '`, which the definition does not');
        }
        moves.push({ region: r, transition: ti, from: from, to: to });
        s.config[r] = to;
        s.entered[r] = at;
      }
      s.trail.push({ event: st.event, at: at, actor: st.actor, role: st.role || null, payload: st.payload || null, moved: moves });
    }
    if (s.config.join() !== end.join()) {
      return broken(env.trail.length, 'the trail ends in ' + debugList(s.config.map(function (i) { return states[i].name; })) + ', not in ' +
        debugList(end.map(function (i) { return states[i].name; })));
    }
    if (env.regions.some(function (r, k) { return instant(r.entered_at) - t0 !== s.entered[k]; })) {
      return broken(env.trail.length, 'the instants the regions entered their states are not the trail\'s');
    }
    var last = s.trail.reduce(function (a, st) { return Math.max(a, st.at); }, Math.max.apply(null, s.entered));
    s.clock = Math.max(last, isNaN(instant(asOf)) ? 0 : instant(asOf) - t0);
    origin = { config: start, entered: env.start.map(function (r) { return instant(r.entered_at) - t0; }) };
    opened(s, t0, env.data);
    return null;
  }
  function rEnvelope() {
    var from = origin || { config: regions.map(function (r) { return r.initial; }), entered: regions.map(function () { return 0; }) };
    var stored = function (config, entered) {
      return config.map(function (st, r) { return { region: regions[r].name, state: states[st].name, entered_at: iso(base + entered[r]) }; });
    };
    return {
      format: REGIONS_FORMAT,
      workflow: model.name,
      fingerprint: model.fingerprint,
      start: stored(from.config, from.entered),
      regions: stored(sim.config, sim.entered),
      data: loadedData,
      trail: sim.trail.map(function (st) {
        var step = { event: st.event, at: iso(base + st.at), actor: st.actor || null };
        if (st.role) step.role = st.role;
        if (st.payload) step.payload = st.payload;
        step.moved = st.moved.map(function (m) { return { region: regions[m.region].name, from: states[m.from].name, to: states[m.to].name }; });
        return step;
      })
    };
  }
  // The simulation as the runtime's envelope.
  function envelope() {
    if (regions) return rEnvelope();
    return {
      format: FORMAT,
      workflow: model.name,
      fingerprint: model.fingerprint,
      state: states[sim.current].name,
      started_at: iso(base),
      entered_at: iso(base + sim.entered),
      data: loadedData,
      trail: sim.trail.map(function (st) {
        var step = { from: states[st.from].name, event: transitions[st.transition].event, to: states[st.to].name, at: iso(base + st.at), actor: st.actor || null };
        if (st.role) step.role = st.role;
        if (st.payload) step.payload = st.payload;
        return step;
      })
    };
  }
  function openText(text, asOf) {
    var env;
    try { env = JSON.parse(text); } catch (e) { say('refused', model.name + ': malformed snapshot: ' + e.message); return; }
    var why = loadSnapshot(env, asOf);
    if (why) say('refused', why);
  }
  $('snapshot-load').addEventListener('click', function () { openText($('snapshot-text').value); });
  $('snapshot-file').addEventListener('change', function () {
    var file = $('snapshot-file').files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { $('snapshot-text').value = String(reader.result); openText(String(reader.result)); };
    reader.readAsText(file);
  });
  $('snapshot-export').addEventListener('click', function () {
    $('snapshot-text').value = JSON.stringify(envelope(), null, 2);
    $('snapshot-text').focus();
    $('snapshot-text').select();
    say('moved', 'The simulation as a snapshot is in the box: copy it into a file, or load it with `turnstile::snapshot`.');
  });

  var link = location.hash;
  reset();
  showBase();
  // A page written for one stored instance opens it; otherwise the link.
  var embedded = document.getElementById('instance');
  if (embedded) {
    var given = JSON.parse(embedded.textContent);
    var why = loadSnapshot(given.snapshot, given.as_of);
    if (why) say('refused', why);
  } else restoreLink(link);
  minimap();
  // When the page became ready, in ms since navigation started (what the
  // readiness benchmark reads: `render/benches/ready.rs`).
  document.body.setAttribute('data-ready-ms', String(Math.round(performance.now())));
  document.body.setAttribute('data-ready', 'true');
})();
