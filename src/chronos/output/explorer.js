// The explorer's script: it looks up the answers chronos embedded and draws them; it reconciles nothing.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const DAY = 86400000;
  const t0 = Date.parse(D.start), t1 = Date.parse(D.end) + DAY;
  const days = Math.round((t1 - t0) / DAY) - 1;
  const iso = (t) => new Date(t).toISOString().slice(0, 10);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const person = (id) => (id == null ? null : D.persons[id] || id);
  const lastAtOrBefore = (list, value) => {
    let lo = 0, hi = list.length - 1, found = 0;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (list[mid] <= value) { found = mid; lo = mid + 1; } else hi = mid - 1; }
    return found;
  };
  const view = { day: D.start, step: D.steps.length - 1 };

  function cell(day, step) {
    const [roster, name] = D.grid[step][lastAtOrBefore(D.cuts, day)];
    return { roster: D.rosters[roster], name: D.names[name] };
  }
  function knownLabel(step) {
    const k = D.steps[step];
    if (k == null) return "everything in the log";
    return step === 0 && D.steps.length > 1 ? k + " (before anything was known)" : k;
  }

  function showEvents(ids, heading) {
    const rows = ids.map((id) => {
      const e = D.events[id];
      if (!e) return "";
      const quotes = e.sources.map(([src, quote, loc, title, cited, url]) => {
        const name = cited ? `${esc(cited)}: <cite>${esc(title)}</cite> (${esc(src)})` : esc(src);
        const linked = url ? `<a href="${esc(url)}" rel="noreferrer">${name}</a>` : name;
        return `<blockquote>“${esc(quote)}”<br><small>${linked}${loc ? ", " + esc(loc) : ""}</small></blockquote>`;
      }).join("");
      return `<div class="event"><strong>${esc(e.type)}</strong> ${esc(e.about.join(", "))}<br>` +
        `<small>happened ${esc(e.occurred)} · known ${esc(e.known)}</small>${quotes}` +
        (e.note ? `<small>${esc(e.note)}</small>` : "") + "</div>";
    });
    $("panel").innerHTML = `<h2>${esc(heading)}</h2>` + (rows.join("") || "<p>No events.</p>");
  }

  function drawRoster(here) {
    const body = $("roster").querySelector("tbody");
    body.innerHTML = "";
    for (const [post, who, state, certainty, since, until, disputed, events] of here.roster) {
      const tr = document.createElement("tr");
      tr.className = `seat ${state} ${certainty}`;
      tr.tabIndex = 0;
      tr.dataset.post = D.posts[post][0];
      const holder = state === "held" ? esc(person(who)) : state === "vacant" ? "vacant" : "unknown";
      tr.innerHTML = `<td>${esc(D.posts[post][1])}</td><td class="who">${holder}</td>` +
        `<td><span class="tag ${certainty}">${esc(certainty)}</span>${disputed ? ' <span class="disputed" title="the sources date this differently">disputed</span>' : ""}</td>` +
        `<td>${esc(since || "")}${until ? " – " + esc(until) : ""}</td>`;
      const open = () => showEvents(events, `${D.posts[post][1]}: ${state === "held" ? person(who) : state}`);
      tr.addEventListener("click", open);
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(); } });
      body.appendChild(tr);
    }
  }

  function drawChart(step) {
    const chart = D.charts[D.chart_of[step]];
    const left = 230, width = 900, lane = 20, top = 18;
    const x = (day) => left + ((Date.parse(day) - t0) / (t1 - t0)) * (width - left - 10);
    const hue = (id) => { let h = 0; for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360; return h; };
    const parts = [`<defs>`];
    const seen = new Set();
    for (const [, , bars] of chart.lanes) for (const [who] of bars) {
      if (seen.has(who)) continue; seen.add(who);
      parts.push(`<pattern id="h-${hue(who)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
        `<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="hsl(${hue(who)},45%,50%)"/></pattern>`);
    }
    parts.push("</defs>");
    const height = top + chart.lanes.length * lane + 8;
    for (let m = new Date(t0); m.getTime() < t1; m.setUTCMonth(m.getUTCMonth() + 1, 1)) {
      const day = iso(m.getTime());
      parts.push(`<line x1="${x(day)}" x2="${x(day)}" y1="${top - 4}" y2="${height}" stroke="#eee"/>` +
        `<text x="${x(day) + 2}" y="11" fill="#5f6368">${day.slice(0, 7)}</text>`);
    }
    chart.lanes.forEach(([post, label, bars], i) => {
      const y = top + i * lane;
      parts.push(`<text class="label" x="4" y="${y + 14}">${esc(label.length > 34 ? label.slice(0, 33) + "…" : label)}<title>${esc(label)}</title></text>`);
      for (const [who, segments, since, until, cause, disputed] of bars) {
        const tip = `${person(who)}: ${since} – ${until || "…"}${cause ? " (" + cause + ")" : ""}${disputed ? ", disputed" : ""}`;
        parts.push(`<g class="bar" tabindex="0" role="button" data-person="${esc(who)}" data-post="${esc(post)}" aria-label="${esc(tip)}"><title>${esc(tip)}</title>`);
        for (const [a, b, possible] of segments) {
          const fill = possible ? `url(#h-${hue(who)})` : `hsl(${hue(who)},45%,50%)`;
          parts.push(`<rect x="${x(a)}" y="${y + 3}" width="${Math.max(1, x(b) - x(a))}" height="${lane - 6}" fill="${fill}" stroke="hsl(${hue(who)},45%,35%)" stroke-width="0.5"/>`);
        }
        parts.push("</g>");
      }
    });
    for (const [kind, who, laneIndex, a, b] of chart.markers) {
      const y = top + laneIndex * lane + lane / 2 + 4, mid = (x(a) + x(b)) / 2;
      parts.push(`<text x="${mid - 4}" y="${y}" fill="#a51d2d">${kind === "died" ? "✕" : "▼"}<title>${esc(person(who))} ${esc(kind)} ${a}${b !== a ? "/" + b : ""}</title></text>`);
    }
    parts.push(`<line class="now" x1="${x(view.day)}" x2="${x(view.day)}" y1="${top - 4}" y2="${height}"/>`);
    $("chart").innerHTML = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline of the posts">${parts.join("")}</svg>`;
    $("chart").querySelectorAll("g.bar").forEach((g) => {
      const open = () => {
        const ids = D.timeline.filter((id) => D.events[id].about.includes(person(g.dataset.person)));
        showEvents(ids, `${person(g.dataset.person)}: events`);
      };
      g.addEventListener("click", open);
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(); } });
    });
  }

  function drawDiff() {
    const a = $("diff-a").value, b = $("diff-b").value;
    if (!a || !b) return;
    if (b < a) { $("diff-out").innerHTML = "<p>The second date is before the first: swap them.</p>"; return; }
    const held = (day) => new Map(cell(day, view.step).roster.filter((s) => s[2] === "held").map((s) => [D.posts[s[0]][0] + "|" + s[1], s]));
    const before = held(a), after = held(b);
    const line = (s, extra) => `<li>${esc(person(s[1]))}, ${esc(D.posts[s[0]][1])} (${esc(s[3])})${extra || ""}</li>`;
    const joined = [...after].filter(([k]) => !before.has(k)).map(([, s]) => line(s));
    const left = [...before].filter(([k]) => !after.has(k)).map(([, s]) => line(s));
    const changed = [...after].filter(([k, s]) => before.has(k) && before.get(k)[3] !== s[3]).map(([k, s]) => line(s, `: was ${esc(before.get(k)[3])}`));
    const part = (title, items) => items.length ? `<h3>${title}</h3><ul>${items.join("")}</ul>` : "";
    $("diff-out").innerHTML = (part("Joined", joined) + part("Left", left) + part("Certainty changed", changed)) ||
      "<p>No change between these dates, as known on " + esc(knownLabel(view.step)) + ".</p>";
  }

  function draw() {
    const here = cell(view.day, view.step);
    const [name, certainty, alternatives] = here.name;
    $("title").textContent = name + (certainty === "possible" && alternatives.length ? ` (or ${alternatives.join(", ")})` : "");
    $("subtitle").textContent = `On ${view.day}, as known on ${knownLabel(view.step)} · policy ${D.policy}`;
    $("roster-title").textContent = `Roster on ${view.day}`;
    $("day").value = view.day;
    $("day-slider").value = String(Math.round((Date.parse(view.day) - t0) / DAY));
    $("known-slider").value = String(view.step);
    $("known").value = D.steps[view.step] || D.steps[D.steps.length - 2] || "";
    drawRoster(here);
    drawChart(view.step);
    drawDiff();
  }

  $("day-slider").max = String(days);
  $("day").min = D.start; $("day").max = D.end;
  $("known-slider").max = String(D.steps.length - 1);
  $("diff-a").value = D.start; $("diff-b").value = D.end;
  $("day-slider").addEventListener("input", (ev) => { view.day = iso(t0 + Number(ev.target.value) * DAY); draw(); });
  $("day").addEventListener("change", (ev) => { if (ev.target.value) { view.day = ev.target.value < D.start ? D.start : ev.target.value > D.end ? D.end : ev.target.value; draw(); } });
  $("known-slider").addEventListener("input", (ev) => { view.step = Number(ev.target.value); draw(); });
  $("known").addEventListener("change", (ev) => {
    const k = ev.target.value, dated = D.steps.slice(0, -1);
    if (!k) return;
    view.step = k >= dated[dated.length - 1] ? D.steps.length - 1 : lastAtOrBefore(dated, k);
    draw();
  });
  $("diff-a").addEventListener("change", drawDiff);
  $("diff-b").addEventListener("change", drawDiff);
  draw();
})();
