// The operator dashboard: plain JS, no dependencies, served by every host from the RunApi assembly.
// Data comes only from the run API; the API key is typed by the operator, kept in sessionStorage and sent as the
// X-Api-Key header (never a cookie). Under Azure Functions the page's own ?code= key is added to every API call.
'use strict';

(() => {
  const KEY_STORE = 'ingestion.apiKey';
  const REFRESH_MS = 5000;
  const MAX_BACKOFF_MS = 60000;

  // /dashboard/ (serve) or /api/dashboard/ (Functions), possibly under a path base: the API is <base>/api/.
  const pathMatch = location.pathname.match(/^(.*?)(\/api)?\/dashboard(\/.*)?$/);
  const apiRoot = (pathMatch ? pathMatch[1] : '') + '/api/';
  const functionKey = new URLSearchParams(location.search).get('code');

  const main = document.getElementById('main');
  const announcer = document.getElementById('announcer');
  const connection = document.getElementById('connection');
  const keyInput = document.getElementById('api-key');

  let timer = 0;
  let delay = REFRESH_MS;
  let renderToken = 0;
  let lastRoute = '';
  const knownStatus = new Map();
  let listPages = [null];

  // ---- API ------------------------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
    }
  }

  function apiUrl(path, query) {
    const url = new URL(apiRoot + path, location.origin);
    for (const [name, value] of Object.entries(query || {})) if (value) url.searchParams.set(name, value);
    if (functionKey) url.searchParams.set('code', functionKey);
    return url;
  }

  async function api(path, { method = 'GET', query, body } = {}) {
    const headers = { Accept: 'application/json' };
    const key = sessionStorage.getItem(KEY_STORE);
    if (key) headers['X-Api-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(apiUrl(path, query), {
      method, headers, credentials: 'omit', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }

  // ---- DOM building and diffing -----------------------------------------------------------------------------------
  // h() builds detached nodes; morph() moves the live DOM to match them in place, so focus, selection and scroll
  // survive a refresh (a replaced node would lose them).
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const SVG_TAGS = new Set(['svg', 'g', 'rect', 'line', 'polyline', 'circle', 'text', 'title', 'path']);

  function h(tag, attrs, ...children) {
    const element = SVG_TAGS.has(tag) ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith('on')) element['__' + name] = value;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    append(element, children);
    return element;
  }

  function append(element, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function sameKind(a, b) {
    if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
    if (a.nodeType !== Node.ELEMENT_NODE) return true;
    return (a.getAttribute('data-key') || '') === (b.getAttribute('data-key') || '');
  }

  function morph(live, next) {
    if (live.nodeType === Node.TEXT_NODE) {
      if (live.nodeValue !== next.nodeValue) live.nodeValue = next.nodeValue;
      return;
    }
    for (const attr of Array.from(live.attributes)) if (!next.hasAttribute(attr.name)) live.removeAttribute(attr.name);
    for (const attr of Array.from(next.attributes)) {
      if (live.getAttribute(attr.name) !== attr.value) live.setAttribute(attr.name, attr.value);
    }
    for (const name of ['onclick', 'onsubmit', 'onchange']) {
      const handler = next['__' + name];
      if (live['__' + name] !== handler) {
        if (live['__' + name]) live.removeEventListener(name.slice(2), live['__' + name]);
        if (handler) live.addEventListener(name.slice(2), handler);
        live['__' + name] = handler;
      }
    }
    // Form fields the operator is editing keep what they typed.
    if ((live.tagName === 'INPUT' || live.tagName === 'SELECT') && document.activeElement !== live && next.value !== undefined) {
      if (live.type !== 'checkbox' && live.value !== next.getAttribute('value') && next.hasAttribute('value')) live.value = next.getAttribute('value');
    }
    const nextChildren = Array.from(next.childNodes);
    let index = 0;
    for (; index < nextChildren.length; index++) {
      const wanted = nextChildren[index];
      const current = live.childNodes[index];
      if (current && sameKind(current, wanted)) {
        morph(current, wanted);
      } else {
        // Find a matching sibling further on (a row inserted above), else insert a fresh node.
        const match = Array.from(live.childNodes).slice(index + 1).find(node => sameKind(node, wanted));
        if (match) { live.insertBefore(match, current); morph(match, wanted); }
        else live.insertBefore(adopt(wanted), current || null);
      }
    }
    while (live.childNodes.length > nextChildren.length) live.removeChild(live.lastChild);
  }

  // A fresh node's handlers were only recorded by h(); attach them.
  function adopt(node) {
    if (node.nodeType === Node.ELEMENT_NODE) {
      for (const name of ['onclick', 'onsubmit', 'onchange']) if (node['__' + name]) node.addEventListener(name.slice(2), node['__' + name]);
      for (const child of node.children) adopt(child);
    }
    return node;
  }

  function render(...content) {
    morph(main, h('main', { id: 'main', tabindex: '-1' }, ...content));
  }

  // ---- formatting -------------------------------------------------------------------------------------------------
  const number = new Intl.NumberFormat('en-US');
  const fmt = n => (n === null || n === undefined ? '–' : number.format(n));
  const pct = r => (r === null || r === undefined ? '–' : (r * 100).toFixed(1) + ' %');
  const when = t => (t ? new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '–');
  const rate = (part, whole) => (whole ? part / whole : null);
  const terminal = s => ['Completed', 'Failed', 'Canceled', 'Terminated'].includes(s);

  function duration(run) {
    const end = run.completedAt ? new Date(run.completedAt) : new Date();
    const seconds = Math.max(0, Math.round((end - new Date(run.createdAt)) / 1000));
    const hours = Math.floor(seconds / 3600), minutes = Math.floor((seconds % 3600) / 60), rest = seconds % 60;
    return (hours ? hours + ' h ' : '') + (hours || minutes ? minutes + ' min ' : '') + rest + ' s' + (run.completedAt ? '' : ' so far');
  }

  const statusBadge = status => h('span', { class: 'status status-' + status }, status);
  const runLink = id => h('a', { href: '#/run/' + encodeURIComponent(id) }, id);

  function table(caption, headers, rows, options = {}) {
    return h('div', { class: 'table-wrap' },
      h('table', { 'data-key': options.key || caption },
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, headers.map(c => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label || c)))),
        h('tbody', {}, rows.length === 0
          ? h('tr', {}, h('td', { colspan: headers.length }, options.empty || 'None.'))
          : rows.map(row => h('tr', { 'data-key': row.key }, row.cells.map((cell, i) => h('td', { class: headers[i].num ? 'num' : null }, cell)))))));
  }

  function announce(text) {
    if (announcer.textContent !== text) announcer.textContent = text;
  }

  function noteStatuses(runs) {
    const changes = [];
    for (const run of runs) {
      const before = knownStatus.get(run.runId);
      if (before && before !== run.status) changes.push(`Run ${run.runId} is now ${run.status}.`);
      knownStatus.set(run.runId, run.status);
    }
    if (changes.length) announce(changes.join(' '));
  }

  // ---- routing ----------------------------------------------------------------------------------------------------
  function route() {
    const hash = location.hash.replace(/^#\/?/, '') || 'runs';
    const [path, search] = hash.split('?');
    const parts = path.split('/').map(decodeURIComponent);
    return { page: parts[0], id: parts[1], query: new URLSearchParams(search || '') };
  }

  function markNav(page) {
    for (const link of document.querySelectorAll('nav a')) {
      if (link.dataset.page === page) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
  }

  async function refresh() {
    clearTimeout(timer);
    if (document.hidden) return; // resumed by visibilitychange
    const token = ++renderToken;
    const current = route();
    const routeKey = location.hash;
    if (routeKey !== lastRoute) { lastRoute = routeKey; if (current.page !== 'runs') listPages = [null]; }
    markNav(current.page === 'run' ? 'runs' : current.page);
    if (!sessionStorage.getItem(KEY_STORE) && !functionKey) {
      // Nothing is asked of the API before the operator gives a credential (it would only be refused).
      render(keyNeeded('Enter the API key above to see the runs.'));
      return;
    }
    try {
      const view = current.page === 'run' ? await runPage(current.id)
        : current.page === 'sources' ? await sourcesPage()
        : current.page === 'trends' ? await trendsPage(current.query)
        : await runsPage(current.query);
      if (token !== renderToken) return;
      render(view);
      connection.textContent = 'Updated ' + when(new Date().toISOString()) + '.';
      delay = REFRESH_MS;
    } catch (error) {
      if (token !== renderToken) return;
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        render(keyNeeded('The run API refused the request (' + error.status + '): enter the API key above.'));
      }
      // Back off on errors (server down, throttled) so a broken server is not hammered.
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      connection.textContent = 'Update failed: ' + error.message + ' Retrying in ' + Math.round(delay / 1000) + ' s.';
    }
    timer = setTimeout(refresh, delay);
  }

  const keyNeeded = text => h('section', { 'aria-labelledby': 'key-title', 'data-key': 'key-needed' },
    h('h2', { id: 'key-title' }, 'API key needed'), h('p', { class: 'message' }, text));

  // ---- runs list ----------------------------------------------------------------------------------------------------
  async function runsPage(query) {
    const pageIndex = Math.max(0, Number(query.get('page') || 0));
    const filters = { source: query.get('source'), status: query.get('status'), from: query.get('from'), to: query.get('to') };
    const [sources, list] = await Promise.all([
      api('sources'),
      api('exports', { query: { ...filters, from: iso(filters.from), to: iso(filters.to), pageSize: query.get('pageSize') || '25', continuationToken: listPages[pageIndex] || undefined } }),
    ]);
    listPages[pageIndex + 1] = list.continuationToken || null;
    noteStatuses(list.runs);
    const rows = list.runs.map(run => ({
      key: run.runId,
      cells: [
        runLink(run.runId), run.sourceId, statusBadge(run.status), run.phase, when(run.createdAt), duration(run),
        `${fmt(run.counters.filesDone)} / ${fmt(run.counters.filesFailed)} / ${fmt(run.filesTotal)}`,
        fmt(run.counters.resourcesRead), fmt(run.counters.resourcesMapped), fmt(run.counters.resourcesQuarantined),
        pct(rate(run.counters.resourcesUnmapped, run.counters.resourcesMapped)), run.failureReason || '',
      ],
    }));
    return h('section', { 'aria-labelledby': 'runs-title', 'data-key': 'runs' },
      h('h2', { id: 'runs-title' }, 'Runs'),
      filterForm(filters, sources.sources),
      table('Runs, newest first', ['Run', 'Source', 'Status', 'Phase', 'Created', 'Duration',
        { label: 'Files done / failed / total', num: true }, { label: 'Resources read', num: true }, { label: 'Mapped', num: true },
        { label: 'Quarantined', num: true }, { label: 'Concept-0 rate', num: true }, 'Failure reason'], rows, { empty: 'No runs match.' }),
      h('nav', { class: 'pager', 'aria-label': 'Run pages' },
        h('button', { type: 'button', disabled: pageIndex === 0, onclick: () => goPage(query, pageIndex - 1) }, 'Previous page'),
        h('span', {}, 'Page ' + (pageIndex + 1)),
        h('button', { type: 'button', disabled: !list.continuationToken, onclick: () => goPage(query, pageIndex + 1) }, 'Next page')));
  }

  function iso(local) {
    if (!local) return undefined;
    const date = new Date(local + 'Z');
    return isNaN(date) ? undefined : date.toISOString();
  }

  function goPage(query, index) {
    const next = new URLSearchParams(query);
    if (index > 0) next.set('page', String(index)); else next.delete('page');
    location.hash = '#/runs?' + next.toString();
  }

  function filterForm(filters, sources) {
    const option = (value, label, selected) => h('option', { value, selected: selected === value }, label);
    return h('form', {
      class: 'filters', 'aria-label': 'Filter runs', 'data-key': 'filters',
      onsubmit: event => {
        event.preventDefault();
        const data = new FormData(event.target);
        const next = new URLSearchParams();
        for (const [name, value] of data) if (value) next.set(name, value);
        listPages = [null];
        location.hash = '#/runs?' + next.toString();
      },
    },
    h('label', {}, 'Source', h('select', { name: 'source' }, option('', 'All sources', filters.source || ''),
      sources.map(s => option(s.id, s.id, filters.source)))),
    h('label', {}, 'Status', h('select', { name: 'status' }, option('', 'All statuses', filters.status || ''),
      ['Pending', 'Running', 'Completed', 'Failed', 'Canceled', 'Terminated'].map(s => option(s, s, filters.status)))),
    h('label', {}, 'Created from (UTC)', h('input', { type: 'datetime-local', name: 'from', value: filters.from || '' })),
    h('label', {}, 'Created to (UTC)', h('input', { type: 'datetime-local', name: 'to', value: filters.to || '' })),
    h('button', { type: 'submit' }, 'Apply filters'));
  }

  // ---- run page -----------------------------------------------------------------------------------------------------
  async function runPage(id) {
    const detail = await api('exports/' + encodeURIComponent(id) + '/detail');
    const run = detail.run;
    noteStatuses([run]);
    const q = detail.quality;
    const files = detail.files;
    const byTable = Object.keys(q.rowsByTable).sort().map(t => ({
      key: t, cells: [t, fmt(q.rowsByTable[t]), fmt(q.unmappedRowsByTable[t] || 0), pct(rate(q.unmappedRowsByTable[t] || 0, q.rowsByTable[t]))],
    }));
    const previous = detail.previous;
    return h('article', { 'aria-labelledby': 'run-title', 'data-key': 'run-' + run.runId },
      h('p', {}, h('a', { href: '#/runs' }, '← All runs')),
      h('h2', { id: 'run-title' }, 'Run ' + run.runId),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Source'), h('dd', {}, run.sourceId),
        h('dt', {}, 'Status'), h('dd', { id: 'run-status' }, statusBadge(run.status)),
        h('dt', {}, 'Phase'), h('dd', { id: 'run-phase' }, run.phase),
        h('dt', {}, 'Server progress'), h('dd', { id: 'run-progress' }, detail.progress || '–'),
        h('dt', {}, 'Trigger'), h('dd', {}, run.trigger + (run.triggeredBy ? ' by ' + run.triggeredBy : '') + (run.retryOf ? ' (retry of ' + run.retryOf + ')' : '')),
        h('dt', {}, 'Created'), h('dd', {}, when(run.createdAt)),
        h('dt', {}, 'Duration'), h('dd', {}, duration(run)),
        h('dt', {}, 'Files done / failed / total'), h('dd', { id: 'run-files' }, `${fmt(run.counters.filesDone)} / ${fmt(run.counters.filesFailed)} / ${fmt(run.filesTotal)}`),
        h('dt', {}, 'Resources read / mapped / quarantined'),
        h('dd', { id: 'run-counters' }, `${fmt(run.counters.resourcesRead)} / ${fmt(run.counters.resourcesMapped)} / ${fmt(run.counters.resourcesQuarantined)}`),
        h('dt', {}, 'Concept-0 rate'), h('dd', {}, pct(rate(run.counters.resourcesUnmapped, run.counters.resourcesMapped))),
        h('dt', {}, 'Failure reason'), h('dd', { id: 'run-failure' }, run.failureReason || '–')),
      runActions(run),
      h('h3', {}, 'File timeline'),
      gantt(run, files),
      table('Files', ['#', 'Type', 'Kind', 'Status', { label: 'Attempts', num: true }, 'Started', 'Completed',
        { label: 'Read', num: true }, { label: 'Mapped', num: true }, { label: 'Quarantined', num: true }, 'Failure reason'],
        files.map(f => ({ key: String(f.index), cells: [String(f.index), f.resourceType, f.kind, statusBadge(f.status), fmt(f.attempts), when(f.startedAt), when(f.completedAt),
          fmt(f.resourcesRead), fmt(f.resourcesMapped), fmt(f.resourcesQuarantined), f.failureReason || ''] })), { empty: 'No files yet (the export has not finished on the server).' }),
      table('Quarantined resources by reason', ['Reason', { label: 'Resources', num: true }],
        Object.entries(q.quarantinedByReason).sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ key: reason, cells: [reason, fmt(count)] }))),
      h('h3', {}, 'Data quality'),
      qualityComparison(run, previous),
      table('Rows and concept-0 rows by OMOP table', ['Table', { label: 'Rows', num: true }, { label: 'Concept-0 rows', num: true }, { label: 'Concept-0 rate', num: true }], byTable),
      table('Top unmapped codes', ['Table', 'Vocabulary', 'Code', { label: 'Rows', num: true }],
        q.topUnmappedCodes.map(c => ({ key: c.table + '|' + c.vocabulary + '|' + c.code, cells: [c.table, c.vocabulary, c.code, fmt(c.count)] }))),
      table('Events and actions', ['When', 'Action', 'By', 'Detail'],
        detail.audit.map(a => ({ key: a.at + a.action + (a.detail || ''), cells: [when(a.at), a.action, a.actor || '', a.detail || ''] }))));
  }

  function qualityComparison(run, previous) {
    if (!previous) return h('p', { 'data-key': 'no-previous' }, 'No earlier completed run of this source to compare with.');
    const current = rate(run.counters.resourcesUnmapped, run.counters.resourcesMapped);
    return table('Compared with the previous completed run, ' + previous.previousRunId, ['Measure', 'This run', 'Previous run', 'Change'], [
      { key: 'volume', cells: ['Resources read', fmt(run.counters.resourcesRead), fmt(previous.previousResourcesRead),
        previous.volumeChange === null ? '–' : (previous.volumeChange * 100).toFixed(1) + ' %'] },
      { key: 'c0', cells: ['Concept-0 rate', pct(current), pct(previous.previousConceptZeroRate),
        previous.conceptZeroChangePoints === null ? '–' : previous.conceptZeroChangePoints.toFixed(1) + ' points'] },
    ], { key: 'comparison' });
  }

  // One row per file, a bar from start to end (or now), labelled with type, status and attempts so no colour is needed.
  function gantt(run, files) {
    const started = files.filter(f => f.startedAt);
    if (started.length === 0) return h('p', { 'data-key': 'no-gantt' }, 'No file activity has started yet.');
    const t0 = Math.min(...started.map(f => Date.parse(f.startedAt)));
    const t1 = Math.max(...started.map(f => Date.parse(f.completedAt || new Date().toISOString())), t0 + 1000);
    const width = 900, label = 260, rowHeight = 22, plot = width - label - 10;
    const x = t => label + ((t - t0) / (t1 - t0)) * plot;
    const height = files.length * rowHeight + 24;
    return h('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'data-key': 'gantt',
      'aria-label': `Timeline of ${files.length} file activities over ${Math.round((t1 - t0) / 1000)} seconds` },
      files.map((f, i) => {
        const y = i * rowHeight + 4;
        const start = f.startedAt ? x(Date.parse(f.startedAt)) : label;
        const end = f.startedAt ? x(Date.parse(f.completedAt || new Date().toISOString())) : label;
        const cls = f.status === 'Failed' ? 'bar-failed' : f.status === 'Completed' ? 'bar-done' : 'bar';
        return h('g', { 'data-key': 'f' + f.index },
          h('text', { x: 0, y: y + 14 }, `#${f.index} ${f.resourceType} — ${f.status}, ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}`),
          h('rect', { class: cls, x: start, y, width: Math.max(2, end - start), height: rowHeight - 6 },
            h('title', {}, `File ${f.index} ${f.resourceType}: ${f.status}, ${f.attempts} attempts, ${when(f.startedAt)} to ${when(f.completedAt)}`)));
      }),
      h('line', { class: 'axis', x1: label, x2: label + plot, y1: height - 18, y2: height - 18 }),
      h('text', { x: label, y: height - 4 }, when(new Date(t0).toISOString())),
      h('text', { x: label + plot, y: height - 4, 'text-anchor': 'end' }, when(new Date(t1).toISOString())));
  }

  function runActions(run) {
    const id = encodeURIComponent(run.runId);
    const buttons = [];
    if (!terminal(run.status)) {
      buttons.push(actionButton('Cancel run', () => act('exports/' + id + '/events/Cancel', 'POST', `Cancel requested for run ${run.runId}.`)));
      buttons.push(actionButton('Terminate run', () => confirmThen(`Terminate run ${run.runId} without cleanup?`,
        () => act('exports/' + id + '/terminate', 'POST', `Run ${run.runId} terminated.`)), 'danger'));
    } else {
      if (run.counters.filesFailed > 0 || run.status === 'Failed') {
        buttons.push(actionButton('Retry failed files', () => act('exports/' + id + '/retry-failed', 'POST', `Retry of run ${run.runId} started.`)));
      }
      buttons.push(actionButton('Purge run', () => confirmThen(`Purge run ${run.runId}? Its history and catalog rows are deleted; published data stays.`,
        () => act('exports/' + id, 'DELETE', `Run ${run.runId} purged.`, undefined, () => { location.hash = '#/runs'; })), 'danger'));
    }
    return h('div', { class: 'actions', role: 'group', 'aria-label': 'Run actions', 'data-key': 'actions-' + run.status }, buttons);
  }

  const actionButton = (label, handler, cls) => h('button', { type: 'button', class: cls || null, 'data-action': label, onclick: handler }, label);

  async function confirmThen(question, action) {
    if (window.confirm(question)) await action();
  }

  // Runs an action, says the outcome in the live region, then refreshes (or goes elsewhere: a purged run is gone).
  async function act(path, method, done, body, then = refresh) {
    try {
      await api(path, { method, body });
      announce(done);
      then();
    } catch (error) {
      announce('Refused: ' + error.message);
    }
  }

  // ---- sources ------------------------------------------------------------------------------------------------------
  async function sourcesPage() {
    const [{ sources }, { alerts }] = await Promise.all([api('sources'), api('alerts')]);
    const current = sources.map(s => s.currentRun).filter(Boolean);
    noteStatuses(current);
    return h('section', { 'aria-labelledby': 'sources-title', 'data-key': 'sources' },
      h('h2', { id: 'sources-title' }, 'Sources'),
      table('Active alerts', ['Alert', 'Source', 'Run', 'Detail'],
        alerts.map(a => ({ key: a.kind + '|' + a.sourceId + '|' + (a.runId || ''), cells: [a.kind, a.sourceId, a.runId ? runLink(a.runId) : '–', a.detail] })),
        { empty: 'No alerts.', key: 'alerts' }),
      table('Configured sources', ['Source', 'Kind', 'Schedule (UTC)', 'Next due', 'Watermark', 'Last success', 'Current run', 'Action'],
        sources.map(s => ({
          key: s.id,
          cells: [s.id, s.kind, s.schedule || 'not scheduled', when(s.nextDueAt), s.incremental ? when(s.watermark) : 'full exports',
            s.lastSuccess ? h('span', {}, runLink(s.lastSuccess.runId), ' ' + when(s.lastSuccess.completedAt)) : 'never',
            s.currentRun ? h('span', {}, runLink(s.currentRun.runId), ' ', statusBadge(s.currentRun.status), ' ' + s.currentRun.phase) : 'none',
            h('button', { type: 'button', 'data-action': 'start-' + s.id, disabled: !!s.currentRun,
              onclick: () => act('exports', 'POST', `Export started for ${s.id}.`, { source: s.id }) }, 'Start export for ' + s.id)],
        }))));
  }

  // ---- trends -------------------------------------------------------------------------------------------------------
  async function trendsPage(query) {
    const count = Math.min(200, Math.max(2, Number(query.get('runs') || 20)));
    const trends = await api('trends', { query: { runs: String(count), source: query.get('source') || undefined } });
    const points = trends.runs.slice().reverse(); // oldest first, left to right
    const runs = points.map(p => p.run);
    const seconds = r => r.completedAt ? (Date.parse(r.completedAt) - Date.parse(r.createdAt)) / 1000 : null;
    // One chart per OMOP table (small multiples: the table is in the title, so no colour or legend is needed).
    const tables = [...new Set(points.flatMap(p => Object.keys(p.rowsByTable)))].sort();
    const byRun = new Map(points.map(p => [p.run.runId, p]));
    const tableRate = table => r => {
      const p = byRun.get(r.runId);
      return p && p.rowsByTable[table] ? rate(p.conceptZeroRowsByTable[table] || 0, p.rowsByTable[table]) : null;
    };
    return h('section', { 'aria-labelledby': 'trends-title', 'data-key': 'trends' },
      h('h2', { id: 'trends-title' }, `Trends over the last ${runs.length} runs`),
      h('form', { class: 'filters', 'aria-label': 'Trend range', onsubmit: event => {
        event.preventDefault();
        location.hash = '#/trends?runs=' + encodeURIComponent(new FormData(event.target).get('runs'));
      } },
      h('label', {}, 'Runs shown', h('input', { type: 'number', name: 'runs', min: 2, max: 200, value: String(count) })),
      h('button', { type: 'submit' }, 'Show')),
      h('div', { class: 'charts' },
        chart('Resources read per run', runs, r => r.counters.resourcesRead, fmt),
        chart('Concept-0 rate per run', runs, r => rate(r.counters.resourcesUnmapped, r.counters.resourcesMapped), pct),
        chart('Quarantine rate per run', runs, r => rate(r.counters.resourcesQuarantined, r.counters.resourcesRead), pct),
        chart('Duration per finished run (seconds)', runs, seconds, v => (v === null ? '–' : v.toFixed(0) + ' s'))),
      h('h3', { id: 'tables-title' }, 'Concept-0 rate per OMOP table'),
      tables.length === 0
        ? h('p', { 'data-key': 'no-tables' }, 'None of these runs has written OMOP rows yet.')
        : h('div', { class: 'charts', role: 'group', 'aria-labelledby': 'tables-title', 'data-key': 'table-charts' },
          tables.map(table => chart('Concept-0 rate of ' + table, runs, tableRate(table), pct))));
  }

  // A line with a labelled marker per run (values are in each marker's title and in the table below, not in colour).
  function chart(title, runs, value, format) {
    const points = runs.map(r => ({ run: r, v: value(r) })).filter(p => p.v !== null && p.v !== undefined);
    const width = 420, height = 180, left = 56, bottom = 28, top = 10;
    const max = Math.max(...points.map(p => p.v), 0) || 1;
    const x = i => left + (points.length <= 1 ? 0 : (i / (points.length - 1)) * (width - left - 10));
    const y = v => top + (1 - v / max) * (height - top - bottom);
    const key = title.replace(/\W+/g, '-').toLowerCase();
    return h('figure', { 'data-key': key },
      h('figcaption', { id: key }, title),
      h('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-labelledby': key },
        h('line', { class: 'axis', x1: left, x2: width - 10, y1: height - bottom, y2: height - bottom }),
        h('line', { class: 'axis', x1: left, x2: left, y1: top, y2: height - bottom }),
        h('text', { x: left - 4, y: top + 8, 'text-anchor': 'end' }, format(max)),
        h('text', { x: left - 4, y: height - bottom, 'text-anchor': 'end' }, format(0)),
        points.length > 1 ? h('polyline', { class: 'line', points: points.map((p, i) => `${x(i)},${y(p.v)}`).join(' ') }) : null,
        points.map((p, i) => h('circle', { class: 'point', cx: x(i), cy: y(p.v), r: 4, 'data-key': p.run.runId },
          h('title', {}, `${p.run.runId} (${p.run.sourceId}, ${p.run.status}): ${format(p.v)}`))),
        h('text', { x: left, y: height - 8 }, 'oldest'),
        h('text', { x: width - 10, y: height - 8, 'text-anchor': 'end' }, 'newest')),
      h('details', {}, h('summary', {}, 'Values'),
        table(title, ['Run', 'Status', { label: 'Value', num: true }], points.map(p => ({ key: p.run.runId, cells: [p.run.runId, p.run.status, format(p.v)] })))));
  }

  // ---- start --------------------------------------------------------------------------------------------------------
  document.getElementById('key-form').addEventListener('submit', event => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (key) sessionStorage.setItem(KEY_STORE, key);
    keyInput.value = '';
    keyInput.placeholder = key ? 'key in use' : '';
    delay = REFRESH_MS;
    refresh();
  });
  document.getElementById('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORE);
    keyInput.placeholder = '';
    refresh();
  });
  if (sessionStorage.getItem(KEY_STORE)) keyInput.placeholder = 'key in use';
  window.addEventListener('hashchange', () => { refresh(); main.focus({ preventScroll: true }); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
  refresh();
})();
