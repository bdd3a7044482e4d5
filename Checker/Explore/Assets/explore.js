// The page of klp-check explore (docs/explore.md). Everything it shows comes from the server's
// JSON and reaches the page as text nodes (textContent, createTextNode): no data is ever parsed as
// HTML. The address bar carries the whole state: c (catalog), r (readings), m (mode), t (trace).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // An element with attributes and children; strings become text nodes.
  function el(tag, attributes, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'onclick') e.addEventListener('click', v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  let meta = null;                 // /api/catalogs
  let view = null;                 // the last /api/view answer
  let current = { c: '', r: [], m: '', t: [] };
  let generation = 0;              // drops answers to requests a newer one replaced
  const properties = new Map();    // "c|r|m" -> Promise of the /api/properties answer

  // The query string of a state. The trace keeps ':' and ',' readable; names may hold '+', escaped.
  function query(s) {
    const parts = [];
    if (s.c) parts.push('c=' + encodeURIComponent(s.c));
    for (const r of s.r) parts.push('r=' + encodeURIComponent(r));
    if (s.m) parts.push('m=' + encodeURIComponent(s.m));
    if (s.t.length) parts.push('t=' + s.t.map((x) => encodeURIComponent(x).replace(/%3A/g, ':')).join(','));
    return parts.join('&');
  }

  function fromAddress() {
    const p = new URLSearchParams(location.search);
    const t = p.get('t');
    return { c: p.get('c') || '', r: p.getAll('r'), m: p.get('m') || '', t: t ? t.split(',') : [] };
  }

  function showError(message) {
    const e = $('error');
    e.textContent = message;
    e.hidden = false;
  }

  async function getJson(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new Error('the explorer does not answer (' + e.message + '); is klp-check explore still running?');
    }
    let body;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error('the explorer answered ' + response.status + ' without JSON');
    }
    if (!response.ok) throw new Error(body && body.error ? body.error : 'the explorer answered ' + response.status);
    return body;
  }

  // Moves to a state: records it in the address bar (a new history entry unless replacing) and renders it.
  async function go(next, replace) {
    current = next;
    const address = '/?' + query(next);
    if (replace) history.replaceState(null, '', address);
    else history.pushState(null, '', address);
    await refresh();
  }

  async function refresh() {
    const mine = ++generation;
    document.body.dataset.busy = '1';
    try {
      const answer = await getJson('/api/view?' + query(current));
      if (mine !== generation) return;
      $('error').hidden = true;
      view = answer;
      // The address names everything the page shows, in the canonical spelling.
      const complete = { c: view.catalog.id, r: current.r.length ? current.r : meta.columns.slice(), m: view.mode, t: view.trace ? view.trace.split(',') : [] };
      if (query(complete) !== query(current)) {
        current = complete;
        history.replaceState(null, '', '/?' + query(current));
      }
      render();
    } catch (e) {
      if (mine !== generation) return;
      showError(e.message);
      renderChooser();
    } finally {
      if (mine === generation) {
        document.body.dataset.trace = current.t.join(',');
        delete document.body.dataset.busy;
      }
    }
  }

  function apply(token) {
    go({ ...current, t: [...current.t, token] });
  }

  function render() {
    renderChooser();
    renderCatalog();
    renderColumns();
    renderTrace();
    renderProperties();
  }

  // --- Choosing the catalog, the mode and the readings ---------------------------------------

  function columnNames() {
    return current.r.length ? current.r : meta.columns;
  }

  function renderChooser() {
    const select = $('catalog');
    select.replaceChildren(...meta.catalogs.map((c) => el('option', { value: c.id, text: c.id + ': ' + c.title })));
    select.value = current.c || meta.default;
    $('mode').value = view ? view.mode : (current.m || 'atomic');
    const shown = columnNames();
    const offered = [...meta.readings, ...shown.filter((r) => !meta.readings.includes(r))];
    $('readings').replaceChildren(el('span', { class: 'muted', text: 'readings' }), ...offered.map((r) => {
      const box = el('input', { type: 'checkbox', value: r, checked: shown.includes(r) });
      box.addEventListener('change', () => {
        const names = box.checked ? [...shown, r] : shown.filter((x) => x !== r);
        if (names.length === 0) return showError('show at least one reading');
        go({ ...current, r: names });
      });
      return el('label', { class: 'mono' }, box, ' ' + r);
    }));
  }

  $('catalog').addEventListener('change', (e) => go({ c: e.target.value, r: current.r, m: '', t: [] }));
  $('mode').addEventListener('change', (e) => go({ ...current, m: e.target.value }));
  $('reading-add').addEventListener('click', () => {
    const text = $('reading-text').value.trim();
    if (!text) return;
    if (columnNames().includes(text)) return showError('reading ' + text + ' is shown already');
    $('reading-text').value = '';
    go({ ...current, r: [...columnNames(), text] });
  });

  // --- The catalog and the operation buttons --------------------------------------------------

  // The add_sets value of the field, as the trace writes it ("3.4"); null for none, undefined when malformed.
  function addSets() {
    const text = $('addsets').value.trim();
    if (!text) return null;
    if (!/^\d+([\s,]+\d+)*$/.test(text)) return undefined;
    return text.split(/[\s,]+/).join('.');
  }

  function opButton(op) {
    return el('button', { type: 'button', class: 'op', 'data-token': op.token, onclick: () => {
      let token = op.token;
      const sets = addSets();
      if (op.kind === 'load' && token.split(':').length === 2) {
        if (sets === undefined) return showError('the add_sets field takes set numbers separated by commas, e.g. 3,4');
        if (sets) token += ':' + sets;
      }
      apply(token);
    } }, op.label);
  }

  function renderCatalog() {
    const c = view.catalog;
    $('catalog-title').textContent = c.title;
    $('catalog-file').textContent = (c.kind === 'plan' ? 'release plan ' : 'scenario file ') + c.file
      + (c.kind === 'plan' ? '; each reading encodes it its own way' : '');
    $('plan').hidden = !c.plan;
    $('plan').textContent = c.plan || '';
    const readings = view.readings.map((r) => r.display);
    const perReading = c.patches.some((p) => p.sets.some((s) => s !== p.sets[0]) || p.replace.some((x) => x !== p.replace[0]));
    const head = ['patch', 'origin', 'kind'];
    if (perReading) readings.forEach((r) => head.push('sets, replace (' + r + ')'));
    else head.push('sets', 'replace');
    head.push('functions', 'states', 'operations');
    const ops = view.operations;
    const rows = c.patches.map((p) => {
      const cells = [el('td', { class: 'name', text: p.name }), el('td', { text: p.origin }),
        el('td', { text: p.kind + (p.updates ? ' (updates ' + p.updates + ')' : '') })];
      if (perReading) p.sets.forEach((s, k) => cells.push(el('td', { text: s + (p.replace[k] ? ', replace' : '') })));
      else cells.push(el('td', { class: 'sets', text: p.sets[0] }), el('td', { text: p.replace[0] ? 'yes' : 'no' }));
      cells.push(el('td', { text: p.funcs.join(', ') || '(none)' }), el('td', { text: p.states.join(', ') || '(none)' }),
        el('td', { class: 'ops' }, ops.filter((o) => o.patch === p.name).map(opButton)));
      return el('tr', { 'data-patch': p.name }, cells);
    });
    $('patches').replaceChildren(el('thead', {}, el('tr', {}, head.map((h) => el('th', { text: h })))), el('tbody', {}, rows));
    $('transition-ops').replaceChildren(...ops.filter((o) => o.patch === null).map(opButton));
    const parameter = view.parameters.find((p) => p !== null);
    $('addsets-label').hidden = !parameter;
    $('addsets-name').textContent = parameter || 'add_sets';
  }

  // --- Each reading's state -------------------------------------------------------------------

  function list(tag, cls, items) {
    return items.length ? el(tag, { class: cls }, items.map((i) => el('li', {}, i))) : el('p', { class: cls + ' none', text: 'none' });
  }

  function code(name) {
    return name === null ? 'original' : name;
  }

  function outcomeBlock(k) {
    if (view.steps.length === 0) return el('div', { class: 'outcome initial' }, el('span', { class: 'verdict', text: 'initial state' }));
    const r = view.steps[view.steps.length - 1].results[k];
    const kind = view.steps[view.steps.length - 1].operation.split(' ')[0];
    const verb = kind === 'load' ? 'replaces' : kind === 'unload' ? 'unloads' : 'removes';
    if (!r.accepted) {
      return el('div', { class: 'outcome refused' }, el('span', { class: 'verdict', text: 'refused' }), ' ',
        el('span', { class: 'errno', text: r.errno }), ' ', el('span', { class: 'reason', text: r.reason }));
    }
    return el('div', { class: 'outcome accepted' }, el('span', { class: 'verdict', text: 'accepted' }),
      r.affected.length ? [', ' + verb + ' ', el('ul', { class: 'affected inline' }, r.affected.map((a) => el('li', { text: a })))] : []);
  }

  function column(k) {
    const reading = view.readings[k];
    const s = view.state[k];
    const hasSets = view.hasSets[k];
    const last = view.steps.length ? view.steps[view.steps.length - 1].results[k] : null;
    const enabled = s.enabled.map((p) => [el('span', { class: 'name', text: p }),
      hasSets ? [' ', el('span', { class: 'sets', text: '{' + s.occupied[p].join(',') + '}' })] : []]);
    const bySet = new Map();
    for (const p of s.enabled) for (const n of s.occupied[p] || []) bySet.set(n, [...(bySet.get(n) || []), p]);
    const sets = [...bySet.keys()].sort((a, b) => a - b).map((n) => [el('span', { class: 'set', text: 'set ' + n }), ': ',
      el('ul', { class: 'inline names' }, bySet.get(n).map((p) => el('li', { text: p })))]);
    const patches = s.patches.map((p) => [el('span', { class: 'name', text: p }),
      s.transition && s.transition.patch === p ? el('span', { class: 'mark', text: ' (transition to ' + s.transition.target + ')' }) : []]);
    const transition = s.transition === null ? el('p', { class: 'transition', text: 'none' })
      : el('p', { class: 'transition' }, el('span', { class: 'patch', text: s.transition.patch }), ' \u2192 ',
        el('span', { class: 'target', text: s.transition.target }),
        s.transition.replacing.length ? [', replacing ', el('ul', { class: 'inline replacing' }, s.transition.replacing.map((p) => el('li', { text: p })))] : []);
    const functions = view.catalog.functions.map((f) => {
      const stack = s.funcStacks[f];
      const entries = stack ? stack.entries.map((e) => [el('span', { class: 'name', text: e.patch }),
        e.nop ? el('span', { class: 'mark nop', text: ' nop' }) : [], e.transition ? el('span', { class: 'mark tr', text: ' transition' }) : []]) : [];
      const split = stack && stack.switched !== stack.unswitched;
      return el('tr', { 'data-function': f }, el('td', { class: 'fn', text: f }), el('td', { class: 'active', text: code(s.active[f]) }),
        el('td', { class: 'stack' }, entries.length ? el('ol', {}, entries.map((e) => el('li', {}, e))) : el('span', { class: 'none', text: 'empty' })),
        el('td', { class: 'switched' + (split ? ' split' : ''), text: code(stack ? stack.switched : null) }),
        el('td', { class: 'unswitched' + (split ? ' split' : ''), text: code(stack ? stack.unswitched : null) }));
    });
    const states = Object.entries(s.states).map(([id, v]) => id + ':v' + v.version + (v.blockDisable ? ':block_disable' : ''));
    return el('section', { class: 'column' + (last && !last.accepted ? ' refused' : ''), 'data-reading': reading.display },
      el('h3', { class: 'reading', text: reading.display, title: Object.entries(reading.options).map(([o, v]) => o + '=' + v).join(', ') }),
      outcomeBlock(k),
      el('h4', { text: 'enabled' + (hasSets ? ' {sets occupied}' : '') }), list('ol', 'enabled', enabled),
      hasSets ? [el('h4', { text: 'enabled, by set occupied' }), list('ul', 'bysets', sets)] : [],
      el('h4', { text: 'klp_patches (stack_order)' }), list('ol', 'patches', patches),
      el('h4', { text: 'transition' }), transition,
      el('h4', { text: 'functions' }),
      el('table', { class: 'functions' }, el('thead', {}, el('tr', {}, ['function', 'active', 'func_stack (newest first)', 'switched tasks', 'unswitched tasks'].map((h) => el('th', { text: h })))),
        el('tbody', {}, functions)),
      el('h4', { text: 'states' }), list('ul', 'states', states),
      el('h4', { text: 'loaded modules' }), list('ul', 'loaded', s.loaded),
      el('h4', { text: 'pinned modules' }), list('ul', 'pinned', s.pinned));
  }

  function renderColumns() {
    $('step-number').textContent = String(view.steps.length);
    $('columns').replaceChildren(...view.readings.map((_, k) => column(k)));
  }

  // --- The trace ------------------------------------------------------------------------------

  function renderTrace() {
    const steps = view.steps.map((step, i) => el('li', { 'data-step': step.index },
      el('span', { class: 'label', text: step.operation }), ' ',
      el('button', { type: 'button', class: 'back', disabled: i === view.steps.length - 1,
        onclick: () => go({ ...current, t: current.t.slice(0, i + 1) }) }, 'back to here'),
      el('div', { class: 'results' }, step.results.map((r) => el('span', { class: r.accepted ? 'accepted' : 'refused' }, r.reading + ': ' + r.summary)))));
    $('trace').replaceChildren(el('li', { 'data-step': 0, class: 'initial' }, el('span', { class: 'label', text: 'initial state: the empty kernel' })), ...steps);
    $('undo').disabled = $('restart').disabled = view.steps.length === 0;
    $('timeline').hidden = !view.catalog.timeline;
    $('saves').replaceChildren(...view.saves.map((save) => el('a', {
      class: 'save', download: '', href: '/api/scenario?' + query(current) + (view.saves.length > 1 ? '&g=' + save.group : ''),
    }, view.saves.length > 1 ? 'save as scenario (' + save.readings.join(', ') + ')' : 'save as scenario')));
  }

  $('undo').addEventListener('click', () => go({ ...current, t: current.t.slice(0, -1) }));
  $('restart').addEventListener('click', () => go({ ...current, t: [] }));
  $('timeline').addEventListener('click', () => go({ ...current, t: view.catalog.timeline.split(',') }));

  // --- Properties and differences -------------------------------------------------------------

  const symbols = { holds: '\u2713', violated: '\u2717', 'n/a': '\u2013', inconclusive: '\u25c7' };

  function cellClass(p) {
    if (p.verdict === 'n/a') return 'notapplicable';
    if (p.vacuous) return 'vacuous';
    return p.verdict.replace(/\[.*\]$/, '');
  }

  function renderProperties() {
    const readings = view.readings.map((r) => r.display);
    const names = columnNames();
    const key = (r) => view.catalog.id + '|' + r + '|' + view.mode;
    const table = $('properties');
    const shownKey = view.catalog.id + '|' + names.join('|') + '|' + view.mode;
    $('differ').hidden = names.length < 2;
    if (table.dataset.key === shownKey) return;
    table.dataset.key = shownKey;
    $('differ-result').textContent = '';
    table.replaceChildren(el('thead', {}, el('tr', {}, el('th', { text: 'property' }), readings.map((r) => el('th', { class: 'mono', text: r })))), el('tbody'));
    $('scopes').replaceChildren(...names.map((name) => el('p', { 'data-reading': name, text: name + ': computing the verdicts\u2026' })));
    names.forEach((name, k) => {
      if (!properties.has(key(name))) {
        const request = getJson('/api/properties?' + query({ c: view.catalog.id, r: [name], m: view.mode, t: [] }));
        request.catch(() => properties.delete(key(name)));
        properties.set(key(name), request);
      }
      properties.get(key(name)).then((answer) => {
        if (table.dataset.key === shownKey) fillProperties(table, answer, k, readings.length);
      }, (e) => {
        if (table.dataset.key === shownKey) $('scopes').children[k].replaceWith(el('p', { class: 'error', text: name + ': ' + e.message }));
      });
    });
  }

  function fillProperties(table, answer, k, count) {
    const body = table.tBodies[0];
    $('scopes').children[k].replaceWith(el('p', { 'data-reading': answer.reading, text: answer.scope }));
    answer.properties.forEach((p, i) => {
      let row = body.rows[i];
      if (!row) {
        row = el('tr', { 'data-property': p.id }, el('th', { title: p.summary }, p.id, el('span', { class: 'muted', text: ' ' + p.kind })));
        for (let j = 0; j < count; j++) row.append(el('td', { class: 'computing', text: '\u2026' }));
        body.append(row);
      }
      const cell = el('td', { class: cellClass(p), title: p.detail, 'data-verdict': p.verdict },
        el('span', { class: 'word', text: (symbols[p.verdict.replace(/\[.*\]$/, '')] || '') + ' ' + p.verdict + (p.vacuous ? ' (vacuous)' : '') }),
        p.trace ? el('button', { type: 'button', class: 'load-trace', title: p.operations,
          onclick: () => go({ ...current, t: p.trace.split(',') }) }, p.kind === 'witness' ? 'load witness' : 'load counterexample') : []);
      row.cells[k + 1].replaceWith(cell);
    });
  }

  $('differ').addEventListener('click', async () => {
    $('differ-result').textContent = 'exploring the readings in lockstep\u2026';
    try {
      const answer = await getJson('/api/differ?' + query({ c: current.c, r: columnNames(), m: current.m, t: [] }));
      $('differ-result').textContent = answer.found
        ? 'they first differ in ' + answer.differs.join(', ') + ' after ' + answer.trace.split(',').length + ' operations (' + answer.scope + '): loaded'
        : answer.scope;
      if (answer.found) await go({ ...current, t: answer.trace.split(',') });
    } catch (e) {
      $('differ-result').textContent = '';
      showError(e.message);
    }
  });

  window.addEventListener('popstate', () => {
    current = fromAddress();
    refresh();
  });

  (async () => {
    try {
      meta = await getJson('/api/catalogs');
    } catch (e) {
      showError(e.message);
      return;
    }
    current = fromAddress();
    await refresh();
  })();
})();
