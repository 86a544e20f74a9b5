// flux-ledger dashboard: draws /graph.svg once, then reads /api/status every few
// seconds and colours the picture and fills the table. Plain DOM, no framework;
// every value from the report is set as text, never parsed as HTML.
"use strict";

const order = ["Ready", "Behind", "Reconciling", "Suspended", "Failed", "Unreachable", "NotConfigured"];
const pollSeconds = 2;

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function worst(states) {
  return states.reduce((w, s) => (order.indexOf(s) > order.indexOf(w) ? s : w), "Ready");
}

function shortRevision(r) {
  if (!r) return "-";
  const i = r.indexOf("@sha1:");
  return i >= 0 && r.length > i + 18 ? r.slice(0, i + 18) : r;
}

async function drawTopology() {
  const response = await fetch("graph.svg");
  const text = await response.text();
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  document.getElementById("topology").replaceChildren(svg);
  const title = svg.querySelector("title");
  document.getElementById("network").textContent = title ? title.textContent.split(":")[0] : "";
}

// stateClass replaces an element's state-* class.
function stateClass(node, state) {
  for (const c of [...node.classList]) if (c.startsWith("state-")) node.classList.remove(c);
  if (state) node.classList.add("state-" + state);
}

function colour(report) {
  const svg = document.querySelector("#topology svg");
  if (!svg) return;
  const byParty = {};
  for (const c of report.clusters) {
    (byParty[c.party] = byParty[c.party] || []).push(c.state);
    for (const g of svg.querySelectorAll("g.cluster")) {
      if (g.dataset.cluster !== c.cluster) continue;
      stateClass(g, c.state);
      g.setAttribute("aria-label", c.cluster + ": " + c.state);
    }
    const ready = {};
    for (const n of c.nodes || []) ready[n.name] = n.ready >= n.want;
    for (const g of svg.querySelectorAll("g.node")) {
      if (!(g.dataset.node in ready)) continue;
      g.classList.toggle("not-ready", !ready[g.dataset.node]);
    }
  }
  for (const g of svg.querySelectorAll("g.party")) {
    if (byParty[g.dataset.party]) stateClass(g, worst(byParty[g.dataset.party]));
  }
}

function row(c) {
  const tr = el("tr");
  tr.dataset.cluster = c.cluster;
  const ledger = (c.kustomizations || []).find((k) => k.name === "ledger") || {};
  const nodes = c.nodes || [];
  const ready = nodes.filter((n) => n.ready >= n.want).length;
  const flux = (c.kustomizations || []).map((k) => k.name + ": " + k.state).join(", ");
  let message = c.error || "";
  for (const k of c.kustomizations || []) {
    if (!message && k.state !== "Ready") message = k.name + " " + (k.reason || "") + ": " + (k.message || "");
  }
  tr.append(
    el("td", c.cluster),
    el("td", c.party),
    (() => { const td = el("td"); td.append(el("span", c.state, "badge state-" + c.state)); return td; })(),
    el("td", shortRevision(ledger.revision)),
    el("td", ledger.behind >= 0 ? ledger.behind : "-"),
    el("td", c.state === "Unreachable" || c.state === "NotConfigured" ? "-" : ready + "/" + nodes.length),
    el("td", c.policies ? c.policies.pass + " pass, " + c.policies.fail + " fail" : "-"),
    el("td", flux || "-"),
    (() => { const td = el("td", undefined, "message"); const m = el("div", message); m.title = message; td.append(m); return td; })(),
  );
  return tr;
}

// expanded holds the tables whose healthy rows the reader chose to see; it outlives
// the refreshes that rebuild the rows.
const expanded = new Set();

// foldAbove is the number of rows a table shows unfolded: a small network's tables
// show every row.
const foldAbove = 12;

// fillRows puts a table's rows in and, past foldAbove rows, moves the healthy ones
// behind one summary row with a button, after the problems: at 40 parties the rows
// that need someone and the legend stay within the first screen, and the page a few
// screens high, while every row is one click away.
function fillRows(tbodyId, rows, healthy, what) {
  const tbody = document.getElementById(tbodyId);
  if (rows.length <= foldAbove) {
    tbody.replaceChildren(...rows);
    return;
  }
  const columns = tbody.closest("table").querySelectorAll("thead th").length;
  const fine = rows.filter((tr, i) => healthy[i]);
  const shown = expanded.has(tbodyId);
  for (const tr of fine) {
    tr.classList.add("healthy");
    tr.hidden = !shown;
  }
  const out = rows.filter((tr, i) => !healthy[i]);
  if (fine.length > 0) {
    const summary = el("tr", undefined, "healthy-summary");
    const td = el("td");
    td.colSpan = columns;
    const button = el("button", shown ? "hide" : "show");
    button.type = "button";
    button.setAttribute("aria-expanded", String(shown));
    button.addEventListener("click", () => {
      const now = !expanded.has(tbodyId);
      if (now) expanded.add(tbodyId); else expanded.delete(tbodyId);
      for (const tr of fine) tr.hidden = !now;
      button.textContent = now ? "hide" : "show";
      button.setAttribute("aria-expanded", String(now));
    });
    td.append(el("span", fine.length + " " + what + " "), button);
    summary.append(td);
    out.push(summary);
  }
  tbody.replaceChildren(...out, ...fine);
}

// showLegend lists the states the table shows only, as status's legend line does.
function showLegend(clusters) {
  for (const entry of document.querySelectorAll("#legend > div")) {
    entry.hidden = !clusters.some((c) => c.state === entry.dataset.state);
  }
}

// changeLine says what one pending validator change still needs.
function changeLine(c) {
  const who = (c.node || c.address) + (c.party ? " (" + c.party + ")" : "");
  const missing = Object.entries(c.notVoted || {}).map(([p, nodes]) => p + ": " + nodes.join(", ")).join("; ");
  return (c.add ? "add " : "remove ") + who + ": " + c.votes + " of " + c.needed + " votes" +
    (c.passedAt ? ", passed at block " + c.passedAt : "") + (missing ? " · not voted yet: " + missing : "");
}

// proposedText is a party's reading of who proposed the last two rounds of blocks:
// how many validators on chain proposed some, "not read", or "-" when there is none.
function proposedText(v) {
  const p = v.proposals;
  if (v.error || !p) return "-";
  if (p.error) return "not read";
  const proposed = (p.validators || []).filter((q) => q.proposed > 0).length;
  return proposed + " of " + (p.validators || []).length + (p.whole ? "" : " (under 2 rounds)");
}

// proposedTitle lists each validator's proposals in the blocks read, for the cell's
// tooltip.
function proposedTitle(v) {
  const p = v.proposals;
  if (v.error || !p || p.error) return "";
  return "blocks " + p.from + "-" + p.to + "\n" + (p.validators || []).map((q) =>
    (q.node || q.address) + ": " + q.proposed + (q.proposed > 0 ? ", the last " + q.lastProposed : "") + (q.joined ? " (joined since)" : "")).join("\n");
}

// renderSilent lists, once for the whole network, each validator that a party read
// as silent for two whole rounds, with the parties that read it so; hidden when none.
function renderSilent(validators) {
  const seen = new Map();
  for (const v of validators || []) {
    if (v.error || !v.proposals || v.proposals.error) continue;
    const n = (v.proposals.validators || []).length, blocks = v.proposals.to - v.proposals.from + 1;
    for (const q of v.proposals.validators || []) {
      if (!q.silent) continue;
      const who = q.node ? q.node + " (party " + q.party + ")" : q.address + " (not a node of the network)";
      const entry = seen.get(who) || { who, n, blocks, parties: [] };
      entry.parties.push(v.party);
      seen.set(who, entry);
    }
  }
  const list = document.getElementById("silent-validators");
  list.replaceChildren(...[...seen.values()].map((e) => el("li", e.who + " has not proposed in " + e.blocks / e.n + " whole rounds (the last " + e.blocks +
    " blocks of " + e.n + " validators), as " + (e.parties.length === 1 ? e.parties[0] : e.parties.length + " parties") +
    " read it: it is down, cut off, or its key is not the one on chain")));
  list.hidden = seen.size === 0;
}

// renderValidators shows, per party's RPC node, the chain's validators against the
// desired ones, who proposed in the last two rounds and what each pending change
// still needs; hidden when the report has no validator reading (no RPC node).
function renderValidators(validators) {
  const section = document.getElementById("validators");
  if (!validators || validators.length === 0) {
    section.hidden = true;
    return;
  }
  const top = Math.max(...validators.filter((v) => !v.error).map((v) => v.block));
  const notRead = (v) => !v.error && v.proposals && v.proposals.error;
  const rows = validators.map((v) => {
    const tr = el("tr");
    // Height drift at a glance: the blocks behind the highest any party reads.
    const behind = top - v.block;
    const ledger = v.error ? "-" :
      (behind > 0 ? behind + " blocks behind" : "highest") + " · made " + (v.blockTime || "-") + " · " + v.peers + " peers";
    let changes = (v.pending || []).concat(v.unwanted || []).map(changeLine).join("\n");
    if (v.error) changes = v.error;
    else if (!changes) changes = "none: the chain has the desired validators";
    // First, where the cell's three lines keep it in sight.
    if (notRead(v)) changes = "proposers not read: " + v.proposals.error + "\n" + changes;
    const proposed = el("td", proposedText(v));
    proposed.title = proposedTitle(v);
    tr.append(
      el("td", v.party), el("td", v.node), el("td", v.error ? "-" : v.block), el("td", ledger),
      el("td", v.error ? "-" : (v.onChain || []).length + " / " + (v.desired || []).length), proposed,
      (() => { const td = el("td", undefined, "message"); td.append(el("div", changes)); return td; })(),
    );
    if (v.error) tr.classList.add("state-Unreachable");
    else if (behind > 0) tr.classList.add("state-Behind");
    else if (notRead(v)) tr.classList.add("state-NotRead");
    return tr;
  });
  const healthy = validators.map((v) => !v.error && v.block === top && !notRead(v));
  const pending = new Set(validators.flatMap((v) => (v.pending || []).map((c) => c.address))).size;
  fillRows("validator-rows", rows, healthy, "parties at the highest block" + (pending ? ", with " + pending + " pending validator change" + (pending > 1 ? "s" : "") : "") + ":");
  renderSilent(validators);
  section.hidden = false;
}

// peerLedgerRank orders peer ledgers problems first, as status's table does:
// unreadable, a channel's ledger missing, behind (furthest first), not shared, up to
// date.
function peerLedgerRank(l) {
  const channels = l.channels || [];
  const behind = Math.max(0, ...channels.map((c) => c.behind || 0));
  if (l.state === "unreadable") return [0, 0];
  if (l.state === "read" && channels.some((c) => c.missing)) return [1, 0];
  if (behind > 0) return [2, -behind];
  if (l.state === "notShared") return [3, 0];
  return [4, 0];
}

// renderPeerLedgers shows each Fabric peer's height per channel with the blocks it is
// behind the highest party (the height drift at a glance; peers behind are marked);
// hidden when the report reads no Fabric peer.
function renderPeerLedgers(ledgers) {
  const section = document.getElementById("peer-ledgers");
  if (!ledgers || ledgers.length === 0) {
    section.hidden = true;
    return;
  }
  const sorted = [...ledgers].sort((a, b) => {
    const [ra, ba] = peerLedgerRank(a), [rb, bb] = peerLedgerRank(b);
    return ra - rb || ba - bb || a.party.localeCompare(b.party) || a.peer.localeCompare(b.peer);
  });
  const rows = sorted.map((l) => {
    const tr = el("tr");
    tr.dataset.peer = l.peer;
    const channels = l.channels || [];
    const heights = l.state !== "read" ? "-" : channels.map((c) => c.channel + ": " +
      (c.missing ? "no ledger (not joined)" : c.height + (c.behind > 0 ? " · " + c.behind + " blocks behind" : " · highest"))).join("\n") || "-";
    let message = l.cause || "";
    if (l.state === "read" && channels.some((c) => c.missing)) message = "the peer has not joined every channel its party is a member of";
    tr.append(
      el("td", l.party), el("td", l.peer), el("td", l.cluster), el("td", heights),
      (() => { const td = el("td", undefined, "message"); td.append(el("div", message)); return td; })(),
    );
    if (l.state === "unreadable") tr.classList.add("state-Unreachable");
    else if (l.state === "notShared") tr.classList.add("state-NotShared");
    else if (channels.some((c) => c.missing || c.behind > 0)) tr.classList.add("state-Behind");
    return tr;
  });
  fillRows("peer-ledger-rows", rows, sorted.map((l) => peerLedgerRank(l)[0] === 4), "peers at the highest height on every channel:");
  section.hidden = false;
}

// configText lists a channel config's members and consenters, unknown ones by the
// MSP ID or endpoint the chain gave.
function configText(c) {
  const members = (c.members || []).concat(c.unknownMembers || []);
  const consenters = (c.consenters || []).concat(c.unknownConsenters || []);
  return "members " + (members.join(", ") || "none") + "; consenters " + (consenters.join(", ") || "none");
}

// onChainOfModel is "2 of 3", "+1" for what the chain has and the model does not.
function onChainOfModel(chain, unknown, model) {
  const have = (chain || []).filter((x) => (model || []).includes(x)).length;
  const extra = (chain || []).length - have + (unknown || []).length;
  return have + " of " + (model || []).length + (extra > 0 ? " +" + extra : "");
}

// channelLines are one channel's details: each party's observation, where chain,
// model and record differ, and whose signatures the pending update lacks.
function channelLines(c) {
  const lines = [];
  if (c.error) lines.push("error: " + c.error);
  // Parties whose observers read the same config, on their last run, share one line:
  // a channel of 40 members stays a few lines high.
  const alike = {};
  for (const o of c.observations || []) {
    if (!o.config || o.old || o.lastRunFailed) continue;
    const config = "sequence " + o.config.sequence + ", " + configText(o.config);
    (alike[config] = alike[config] || []).push(o);
  }
  const grouped = new Set();
  for (const [config, observations] of Object.entries(alike)) {
    if (observations.length < 2) continue;
    for (const o of observations) grouped.add(o);
    lines.push(observations.length + " parties read " + config + ": " +
      observations.map((o) => o.party + " at " + o.fetched).join(", "));
  }
  for (const o of c.observations || []) {
    if (grouped.has(o)) continue;
    const where = o.party + (o.cluster ? " (" + o.cluster + ")" : "");
    if (!o.config) { lines.push(where + ": " + o.cause); continue; }
    lines.push(where + ": sequence " + o.config.sequence + ", " + configText(o.config) + ", read " + o.fetched +
      (o.old ? " (over 30m ago: the observer has not succeeded since)" : "") +
      (o.lastRunFailed ? "; the last run failed: " + o.lastRunFailed : ""));
  }
  for (const n of c.notes || []) lines.push(n);
  const p = c.pending;
  if (p) {
    for (const s of p.signatures || []) {
      const signed = (s.signedBy || []).length ? "signed by " + s.signedBy.join(", ") : "no signature yet";
      lines.push(p.envelope + ": " + s.policy + " (" + s.rule + "), " + s.required + " of " + (s.of || []).join(", ") + ": " + signed +
        (s.more > 0 ? "; needs " + s.more + " more of: " + (s.missing || []).join(", ") : ": enough"));
    }
    for (const r of p.recorded || []) lines.push("signature " + r.file + " of party " + r.party + " is " + r.state + ": " + r.reason);
  }
  for (const r of c.refused || []) lines.push("plan refuses: " + r);
  return lines;
}

// renderChannels shows each launched Fabric channel; hidden when the report has none.
function renderChannels(channels) {
  const section = document.getElementById("channels");
  if (!channels || channels.length === 0) {
    section.hidden = true;
    return;
  }
  const rows = channels.map((c) => {
    const tr = el("tr");
    tr.dataset.channel = c.channel;
    const chain = c.onChain;
    const desired = c.desired || {};
    const pending = c.pending ? c.pending.change + " " + (c.pending.node || c.pending.party) + " → sequence " + c.pending.sequence
      : (c.refused || []).length ? "refused by plan" : "none";
    const details = el("ul", undefined, "details");
    details.append(...channelLines(c).map((line) => el("li", line)));
    tr.append(
      el("td", c.channel),
      el("td", chain ? chain.sequence + (c.disagree ? " (observers disagree)" : "") : "-"),
      el("td", (c.recorded || {}).sequence + " (" + c.recordedFrom + ")"),
      el("td", chain ? onChainOfModel(chain.members, chain.unknownMembers, desired.members) : "-"),
      el("td", chain ? onChainOfModel(chain.consenters, chain.unknownConsenters, desired.consenters) : "-"),
      el("td", pending),
      (() => { const td = el("td", undefined, "message"); td.append(details); return td; })(),
    );
    if (c.disagree || (c.notes || []).length) tr.classList.add("state-Behind");
    if (!chain) tr.classList.add("state-Unreachable");
    return tr;
  });
  document.getElementById("channel-rows").replaceChildren(...rows);
  section.hidden = false;
}

function summarise(report) {
  const counts = {};
  for (const c of report.clusters) counts[c.state] = (counts[c.state] || 0) + 1;
  const parts = order.filter((s) => counts[s]).map((s) => counts[s] + " " + s);
  const head = report.head ? " · HEAD " + report.head.slice(0, 12) : "";
  document.getElementById("summary").textContent =
    report.clusters.length + " clusters: " + parts.join(", ") + head;
}

async function refresh() {
  try {
    const response = await fetch("api/status", { cache: "no-store" });
    if (response.status === 503) return; // the first reading is still under way
    if (!response.ok) throw new Error("api/status: HTTP " + response.status);
    const report = await response.json();
    summarise(report);
    // Problems first, worst first, then by name: what needs someone leads at 40 parties.
    const clusters = [...report.clusters].sort((a, b) =>
      order.indexOf(b.state) - order.indexOf(a.state) || a.cluster.localeCompare(b.cluster));
    fillRows("cluster-rows", clusters.map(row), clusters.map((c) => c.state === "Ready"), "clusters Ready at HEAD:");
    showLegend(report.clusters);
    colour(report);
    renderValidators(report.validators);
    renderPeerLedgers(report.peerLedgers);
    renderChannels(report.channels);
    const collected = new Date(response.headers.get("X-Collected-At"));
    const every = Number(response.headers.get("X-Refresh-Seconds")) || 10;
    const age = Math.round((Date.now() - collected.getTime()) / 1000);
    const freshness = document.getElementById("freshness");
    // UTC with the date: operators of several parties read it in several time zones.
    freshness.textContent = "Read " + collected.toISOString().replace("T", " ").slice(0, 19) + " UTC (every " + every + " s)";
    freshness.classList.toggle("stale", age > 3 * every);
  } catch (e) {
    const freshness = document.getElementById("freshness");
    freshness.textContent = "Cannot reach the dashboard: " + e.message;
    freshness.classList.add("stale");
  }
}

async function start() {
  await drawTopology();
  await refresh();
  setInterval(refresh, pollSeconds * 1000);
}

start();
