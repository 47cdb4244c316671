// The explorer's script: it looks up the answers chronos embedded and draws them; it reconciles nothing.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  // Days are chronos's day numbers (proleptic Gregorian, 0001-01-01 is day 1), counted here with
  // integers alone: JavaScript dates hold neither every year nor EDTF's year 0 as text.
  const EPOCH = 719468 - 719163; // Hinnant's civil-day shift, less the day number of 1970-01-01
  const fdiv = (a, b) => Math.floor(a / b);
  const civil = (n) => {
    const z = n + EPOCH, era = fdiv(z, 146097), doe = z - era * 146097;
    const yoe = fdiv(doe - fdiv(doe, 1460) + fdiv(doe, 36524) - fdiv(doe, 146096), 365);
    const doy = doe - (365 * yoe + fdiv(yoe, 4) - fdiv(yoe, 100)), mp = fdiv(5 * doy + 2, 153);
    const m = mp < 10 ? mp + 3 : mp - 9;
    return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, doy - fdiv(153 * mp + 2, 5) + 1];
  };
  const dayOf = (y, m, d) => {
    const yy = m <= 2 ? y - 1 : y, era = fdiv(yy, 400), yoe = yy - era * 400;
    const doy = fdiv(153 * (m > 2 ? m - 3 : m + 9) + 2, 5) + d - 1;
    return era * 146097 + yoe * 365 + fdiv(yoe, 4) - fdiv(yoe, 100) + doy - EPOCH;
  };
  const pad = (n, w) => String(Math.abs(n)).padStart(w, "0");
  // A year as ISO 8601 writes it (and chronos's str(Day)): 2016, -0043 (44 BCE), +12345.
  const isoYear = (y) => (y >= -9999 && y <= 9999 ? (y < 0 ? "-" : "") + pad(y, 4) : (y < 0 ? "-" : "+") + Math.abs(y));
  const iso = (n) => { const [y, m, d] = civil(n); return `${isoYear(y)}-${pad(m, 2)}-${pad(d, 2)}`; };
  const parseDay = (text) => {
    const found = /^([+-]?[0-9]{4,9})-([0-9]{2})-([0-9]{2})$/.exec(String(text).trim());
    if (!found) return null;
    const [y, m, d] = [Number(found[1]), Number(found[2]), Number(found[3])];
    const n = dayOf(y, m, d), back = civil(n);
    return back[0] === y && back[1] === m && back[2] === d ? n : null;
  };
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const bce = civil(D.first)[0] < 1;
  // Years for people: 44 BCE and 14 CE on a page that reaches before year 1, else 2016.
  const yearLabel = (y) => (y <= 0 ? `${1 - y} BCE` : bce ? `${y} CE` : String(y));
  const dayLabel = (n) => { const [y, m, d] = civil(n); return `${d} ${MONTHS[m - 1]} ${yearLabel(y)}`; };
  const shown = (n) => (bce ? `${iso(n)} (${dayLabel(n)})` : iso(n));
  const t0 = D.first, t1 = D.last + 1;
  const days = t1 - t0 - 1;
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const person = (id) => (id == null ? null : D.persons[id] || id);
  const lastAtOrBefore = (list, value) => {
    let lo = 0, hi = list.length - 1, found = 0;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (list[mid] <= value) { found = mid; lo = mid + 1; } else hi = mid - 1; }
    return found;
  };
  const view = { day: D.first, step: D.steps.length - 1 };

  function cell(day, step) {
    const [roster, name] = D.grid[step][lastAtOrBefore(D.cuts, day)];
    return { roster: D.rosters[roster], name: D.names[name] };
  }
  function knownLabel(step) {
    const k = D.steps[step];
    if (k == null) return "everything in the log";
    return step === 0 && D.steps.length > 1 ? shown(k) + " (before anything was known)" : shown(k);
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

  // The axis: the first of each month over a short span, else round years (at most about ten).
  function ticks() {
    const [y0, m0] = civil(t0), [y1] = civil(t1 - 1), out = [];
    if (y1 - y0 < 3) {
      for (let y = y0, m = m0; dayOf(y, m, 1) < t1; m === 12 ? (y++, m = 1) : m++) {
        const day = dayOf(y, m, 1);
        if (day < t0) continue;
        out.push([day, bce ? `${MONTHS[m - 1]} ${yearLabel(y)}` : `${isoYear(y)}-${pad(m, 2)}`]);
      }
      return out;
    }
    let step = 1;
    while ((y1 - y0) / step > 10) step *= String(step)[0] === "2" ? 2.5 : 2;  // 1, 2, 5, 10, 20, 50 ...
    // Round as the labels count: 50 BCE (astronomical -49) and 50 CE, with no year 0 between.
    const years = [];
    for (let n = Math.ceil((1 - Math.min(y1, 0)) / step) * step; n <= 1 - y0; n += step) years.unshift(1 - n);
    for (let y = Math.ceil(Math.max(y0, 1) / step) * step; y <= y1; y += step) years.push(y);
    for (const y of years) {
      const day = dayOf(y, 1, 1);
      if (day >= t0 && day < t1) out.push([day, yearLabel(y)]);
    }
    return out;
  }

  function drawChart(step) {
    const chart = D.charts[D.chart_of[step]];
    const left = 230, width = 900, lane = 20, top = 18;
    const x = (day) => left + ((day - t0) / (t1 - t0)) * (width - left - 10);
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
    for (const [day, text] of ticks()) {
      parts.push(`<line x1="${x(day)}" x2="${x(day)}" y1="${top - 4}" y2="${height}" stroke="#eee"/>` +
        `<text class="tick" x="${x(day) + 2}" y="11" fill="#5f6368">${esc(text)}</text>`);
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
      parts.push(`<text x="${mid - 4}" y="${y}" fill="#a51d2d">${kind === "died" ? "✕" : "▼"}<title>${esc(person(who))} ${esc(kind)} ${iso(a)}${b !== a ? "/" + iso(b) : ""}</title></text>`);
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
    const a = parseDay($("diff-a").value), b = parseDay($("diff-b").value);
    if (a == null || b == null) return;
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
    $("subtitle").textContent = `On ${shown(view.day)}, as known on ${knownLabel(view.step)} · policy ${D.policy}`;
    $("roster-title").textContent = `Roster on ${shown(view.day)}`;
    $("day").value = iso(view.day);
    $("day-slider").value = String(view.day - t0);
    $("known-slider").value = String(view.step);
    const known = D.steps[view.step] ?? D.steps[D.steps.length - 2];
    $("known").value = known == null ? "" : iso(known);
    drawRoster(here);
    drawChart(view.step);
    drawDiff();
  }

  // A date input holds the years 1-9999 only: a page that reaches beyond them takes ISO text.
  const textInputs = bce || civil(D.last)[0] > 9999;
  for (const id of ["day", "known", "diff-a", "diff-b"]) {
    if (textInputs) { $(id).type = "text"; $(id).placeholder = "-0043-03-15"; }
  }
  $("day-slider").max = String(days);
  if (!textInputs) { $("day").min = D.start; $("day").max = D.end; }
  $("known-slider").max = String(D.steps.length - 1);
  $("diff-a").value = D.start; $("diff-b").value = D.end;
  $("day-slider").addEventListener("input", (ev) => { view.day = t0 + Number(ev.target.value); draw(); });
  $("day").addEventListener("change", (ev) => {
    const n = parseDay(ev.target.value);
    if (n != null) { view.day = Math.min(Math.max(n, D.first), D.last); draw(); }
  });
  $("known-slider").addEventListener("input", (ev) => { view.step = Number(ev.target.value); draw(); });
  $("known").addEventListener("change", (ev) => {
    const k = parseDay(ev.target.value), dated = D.steps.slice(0, -1);
    if (k == null) return;
    view.step = !dated.length || k >= dated[dated.length - 1] ? D.steps.length - 1 : lastAtOrBefore(dated, k);
    draw();
  });
  $("diff-a").addEventListener("change", drawDiff);
  $("diff-b").addEventListener("change", drawDiff);
  draw();
})();
