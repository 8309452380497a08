// The timeline, explored: zoom and pan (wheel, drag, keyboard, pinch), a brush that sets
// date_after and date_before in the URL, and tooltips on marks. The drawing itself comes from
// the server (templates/includes/timeline_svg.html) and works without this script; here only
// attributes are moved, so nothing needs an inline style or script (Content-Security-Policy).
(() => {
  "use strict";
  const DAY = 86400000;
  const MIN_SPAN = 20 * DAY;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const parse = (iso) => Date.parse(`${iso}T00:00:00Z`);
  const iso = (time) => new Date(time).toISOString().slice(0, 10);
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const label = (time) => {
    const d = new Date(time);
    return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  };
  let uid = 0;

  document.querySelectorAll("svg.timeline[data-axis-start]").forEach((svg) => {
    if (svg.dataset.axisStart) explore(svg);
  });

  function explore(svg) {
    const left = Number(svg.dataset.plotLeft);
    const right = Number(svg.dataset.plotRight);
    const width = right - left;
    const chartTop = Number(svg.dataset.chartTop);
    const axisY = Number(svg.dataset.axisY);
    const height = svg.viewBox.baseVal.height;
    const domain = [parse(svg.dataset.axisStart), parse(svg.dataset.axisEnd)];
    let view = domain.slice();
    const x = (t) => left + ((t - view[0]) / (view[1] - view[0])) * width;
    const timeAt = (px) => view[0] + ((px - left) / width) * (view[1] - view[0]);

    // What moves: marks, month bars, leaders' bands and gap labels.
    const marks = [...svg.querySelectorAll("a.mark")].map((a) => ({
      a,
      t: parse(a.dataset.day) + DAY / 2,
      shape: a.querySelector("use, circle"),
    }));
    const bars = [...svg.querySelectorAll("rect.bar")].map((rect) => {
      const start = new Date(parse(rect.dataset.month));
      const end = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
      return { rect, t1: start.getTime(), t2: end };
    });
    const bands = [...svg.querySelectorAll("g.band")].map((g) => ({
      g,
      t1: parse(g.dataset.start),
      t2: parse(g.dataset.end),
      rects: [...g.querySelectorAll("rect")],
      text: g.querySelector("text"),
    }));
    const gaps = [...svg.querySelectorAll("g.gap")].map((g) => ({
      g,
      t1: parse(g.dataset.start),
      t2: parse(g.dataset.end),
      line: g.querySelector("line"),
      text: g.querySelector("text"),
    }));
    const axis = svg.querySelector("g.axis");

    // Clip what moves to the plot, so nothing slides over the lane labels.
    const clipId = `timeline-clip-${++uid}`;
    const defs = svg.querySelector("defs") || svg.insertBefore(document.createElementNS(SVG_NS, "defs"), svg.firstChild);
    const clip = document.createElementNS(SVG_NS, "clipPath");
    clip.id = clipId;
    const clipRect = document.createElementNS(SVG_NS, "rect");
    for (const [k, v] of Object.entries({ x: left, y: 0, width, height })) clipRect.setAttribute(k, v);
    clip.appendChild(clipRect);
    defs.appendChild(clip);
    for (const el of [...marks.map((m) => m.a), ...bars.map((b) => b.rect), ...bands.map((b) => b.g), ...gaps.map((g) => g.g)]) {
      el.setAttribute("clip-path", `url(#${clipId})`);
    }

    // Controls (they need this script, so it adds them) and a live summary of the view.
    const region = svg.closest(".timeline-scroll") || svg.parentElement;
    region.classList.add("explorable");
    const controls = document.createElement("div");
    controls.className = "timeline-controls";
    const status = document.createElement("p");
    status.className = "timeline-status";
    status.setAttribute("aria-live", "polite");
    const button = (text, action) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.addEventListener("click", action);
      controls.appendChild(b);
      return b;
    };
    button("Zoom in", () => zoom(0.5, (view[0] + view[1]) / 2));
    button("Zoom out", () => zoom(2, (view[0] + view[1]) / 2));
    button("Earlier", () => pan(-0.25 * (view[1] - view[0])));
    button("Later", () => pan(0.25 * (view[1] - view[0])));
    button("Reset", () => set(domain.slice()));
    button("Filter to this period", () => brushTo(view[0], view[1] - DAY));
    const help = document.createElement("p");
    help.className = "muted timeline-help";
    help.textContent =
      "Zoom with the wheel, a pinch, the buttons or + and − (when the drawing has focus); drag or use the arrow keys to move; drag across the bars at the top to filter to a period.";
    region.before(controls, status, help);

    const zoomed = () => view[0] > domain[0] || view[1] < domain[1];
    const nearBars = (event) => toSvg(event).y < axisY;

    // The view is kept in the URL's fragment (#view=START,END), so a link or a reload keeps the
    // zoom; a fragment changes no filter and is never sent to the server.
    const VIEW_KEY = "view=";
    function viewFromUrl() {
      const hash = window.location.hash.slice(1);
      if (!hash.startsWith(VIEW_KEY)) return null;
      const [a, b] = hash.slice(VIEW_KEY.length).split(",").map((d) => parse(d));
      return Number.isFinite(a) && Number.isFinite(b) && b >= a ? [a, b + DAY] : null;
    }
    let urlTimer = null;
    function keepViewInUrl() {
      clearTimeout(urlTimer);
      urlTimer = setTimeout(() => {
        const url = new URL(window.location.href);
        url.hash = zoomed() ? `${VIEW_KEY}${iso(view[0])},${iso(view[1] - DAY)}` : "";
        history.replaceState(history.state, "", url.toString());
      }, 150);
    }

    function clamp(next) {
      let span = Math.min(Math.max(next[1] - next[0], MIN_SPAN), domain[1] - domain[0]);
      let start = Math.min(Math.max(next[0], domain[0]), domain[1] - span);
      return [start, start + span];
    }
    function set(next) {
      view = clamp(next);
      draw();
    }
    function zoom(factor, around) {
      const span = (view[1] - view[0]) * factor;
      const share = (around - view[0]) / (view[1] - view[0]);
      set([around - share * span, around - share * span + span]);
    }
    function pan(delta) {
      set([view[0] + delta, view[1] + delta]);
    }

    function textWidth(band) {
      if (band.width === undefined) {
        try {
          band.width = band.text.getComputedTextLength();
        } catch {
          band.width = 0;
        }
      }
      return band.width;
    }

    function draw() {
      for (const m of marks) {
        const px = x(m.t);
        if (m.shape.tagName === "circle") m.shape.setAttribute("cx", px.toFixed(1));
        else m.shape.setAttribute("x", (px - 8).toFixed(1));
      }
      for (const b of bars) {
        const x1 = x(b.t1);
        b.rect.setAttribute("x", x1.toFixed(1));
        b.rect.setAttribute("width", Math.max(0.8, x(b.t2) - x1 - 0.4).toFixed(1));
      }
      for (const b of bands) {
        const x1 = x(b.t1);
        const w = Math.max(0, x(b.t2) - x1);
        for (const r of b.rects) {
          r.setAttribute("x", x1.toFixed(1));
          r.setAttribute("width", w.toFixed(1));
        }
        const mid = (Math.max(x1, left) + Math.min(x1 + w, right)) / 2;
        b.text.setAttribute("x", mid.toFixed(1));
        // A name wider than its band's visible part would run into the next one: hide it (the
        // band's title still names it).
        const room = Math.min(x1 + w, right) - Math.max(x1, left) - 4;
        b.text.classList.remove("hidden");
        b.text.classList.toggle("hidden", room < 34 || textWidth(b) > room);
      }
      for (const g of gaps) {
        const x1 = x(g.t1);
        const x2 = x(g.t2);
        g.line.setAttribute("x1", x1.toFixed(1));
        g.line.setAttribute("x2", x2.toFixed(1));
        g.text.setAttribute("x", ((x1 + x2) / 2).toFixed(1));
      }
      drawAxis();
      svg.classList.toggle("zoomed", zoomed());
      keepViewInUrl();
      status.textContent = `Showing ${label(view[0])} to ${label(view[1] - DAY)}.`;
      svg.dataset.viewStart = iso(view[0]);
      svg.dataset.viewEnd = iso(view[1] - DAY);
    }

    function drawAxis() {
      if (!axis) return;
      axis.replaceChildren();
      const span = (view[1] - view[0]) / DAY;
      const start = new Date(view[0]);
      let year = start.getUTCFullYear();
      let month = start.getUTCMonth();
      const monthly = span < 3 * 366;
      const step = monthly ? (span < 400 ? 1 : 3) : span < 15 * 366 ? 12 : span < 60 * 366 ? 60 : 120;
      if (!monthly) {
        const years = step / 12;
        year = Math.ceil(year / years) * years;
        month = 0;
      } else {
        month = Math.ceil(month / step) * step;
      }
      let first = true;
      for (let t = Date.UTC(year, month, 1); t <= view[1]; ) {
        const px = x(t);
        const d = new Date(t);
        const major = d.getUTCMonth() === 0;
        const line = document.createElementNS(SVG_NS, "line");
        line.setAttribute("class", major ? "tick major" : "tick");
        for (const [k, v] of Object.entries({ x1: px, x2: px, y1: chartTop, y2: height })) line.setAttribute(k, v.toFixed ? v.toFixed(1) : v);
        axis.appendChild(line);
        const text = document.createElementNS(SVG_NS, "text");
        text.setAttribute("class", "tick-label");
        text.setAttribute("x", px.toFixed(1));
        text.setAttribute("y", axisY);
        text.setAttribute("text-anchor", "middle");
        // The first month label names its year too: zoomed into one year, no January may show.
        text.textContent = monthly
          ? major || first ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` : MONTHS[d.getUTCMonth()]
          : String(d.getUTCFullYear());
        first = false;
        axis.appendChild(text);
        d.setUTCMonth(d.getUTCMonth() + step);
        t = d.getTime();
      }
    }

    // Pointer: drag to pan (or, over the month bars, to brush); two fingers pinch.
    const toSvg = (event) => {
      const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
      return point;
    };
    const pointers = new Map();
    let drag = null;
    let moved = false;
    let brushRect = null;
    svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      // A finger on the whole span scrolls the box natively (touch-action, set in draw()), so
      // a phone reaches every year of a drawing wider than its screen; zoomed in, it pans.
      if (event.pointerType === "touch" && !zoomed() && pointers.size === 0 && !nearBars(event)) return;
      const p = toSvg(event);
      pointers.set(event.pointerId, p);
      moved = false;
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        drag = { pinch: true, distance: Math.abs(a.x - b.x) || 1, view: view.slice(), centre: timeAt((a.x + b.x) / 2) };
      } else {
        drag = { brush: p.y < axisY && p.x >= left && p.x <= right, x: p.x, view: view.slice() };
      }
    });
    svg.addEventListener("pointermove", (event) => {
      if (!drag || !pointers.has(event.pointerId)) return;
      const p = toSvg(event);
      pointers.set(event.pointerId, p);
      if (!moved && Math.abs(p.x - (drag.x ?? p.x)) < 3 && !drag.pinch) return;
      if (!moved) svg.setPointerCapture(event.pointerId);
      moved = true;
      if (drag.pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const factor = drag.distance / (Math.abs(a.x - b.x) || 1);
        view = drag.view;
        zoom(factor, drag.centre);
      } else if (drag.brush) {
        showBrush(drag.x, p.x);
      } else if (!drag.pinch) {
        const perUnit = (drag.view[1] - drag.view[0]) / width;
        set([drag.view[0] - (p.x - drag.x) * perUnit, drag.view[1] - (p.x - drag.x) * perUnit]);
      }
    });
    const end = (event) => {
      if (!pointers.has(event.pointerId)) return;
      const p = toSvg(event);
      pointers.delete(event.pointerId);
      if (drag && drag.brush && moved && Math.abs(p.x - drag.x) > 4) {
        const a = timeAt(Math.max(left, Math.min(drag.x, p.x)));
        const b = timeAt(Math.min(right, Math.max(drag.x, p.x)));
        brushTo(a, b);
      }
      if (brushRect) brushRect.remove();
      brushRect = null;
      if (pointers.size === 0) drag = null;
    };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    // A drag is not a click: do not follow the mark under the pointer.
    svg.addEventListener("click", (event) => {
      if (moved) {
        event.preventDefault();
        moved = false;
      }
    }, true);

    function showBrush(x1, x2) {
      if (!brushRect) {
        brushRect = document.createElementNS(SVG_NS, "rect");
        brushRect.setAttribute("class", "brush");
        brushRect.setAttribute("y", chartTop);
        brushRect.setAttribute("height", axisY - chartTop);
        svg.appendChild(brushRect);
      }
      const a = Math.max(left, Math.min(x1, x2));
      const b = Math.min(right, Math.max(x1, x2));
      brushRect.setAttribute("x", a.toFixed(1));
      brushRect.setAttribute("width", (b - a).toFixed(1));
    }

    function brushTo(a, b) {
      const url = new URL(window.location.href);
      url.searchParams.set("date_after", iso(a));
      url.searchParams.set("date_before", iso(Math.max(a, b)));
      url.searchParams.delete("page");
      window.location.assign(url.toString());
    }

    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const p = toSvg(event);
      const around = timeAt(Math.min(Math.max(p.x, left), right));
      zoom(Math.exp(event.deltaY * 0.0015), around);
    }, { passive: false });

    region.addEventListener("keydown", (event) => {
      const span = view[1] - view[0];
      const keys = {
        "+": () => zoom(0.5, (view[0] + view[1]) / 2),
        "=": () => zoom(0.5, (view[0] + view[1]) / 2),
        "-": () => zoom(2, (view[0] + view[1]) / 2),
        "ArrowLeft": () => pan(-0.1 * span),
        "ArrowRight": () => pan(0.1 * span),
        "0": () => set(domain.slice()),
      };
      if (event.key === "Escape") hideTip();
      if (keys[event.key] && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        keys[event.key]();
      }
    });

    // Tooltips: title, date, principals and a link, on hover and on keyboard focus.
    const tip = document.createElement("div");
    tip.className = "timeline-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.id = `timeline-tooltip-${uid}`;
    tip.hidden = true;
    region.parentElement.classList.add("timeline-frame");
    region.after(tip);
    let hideTimer = null;
    function showTip(mark) {
      clearTimeout(hideTimer);
      const a = mark.a;
      tip.replaceChildren();
      const title = document.createElement("strong");
      title.textContent = a.dataset.title || a.getAttribute("aria-label");
      tip.appendChild(title);
      for (const text of [a.dataset.when, a.dataset.principals]) {
        if (!text) continue;
        const line = document.createElement("span");
        line.textContent = text;
        tip.appendChild(line);
      }
      const link = document.createElement("a");
      link.href = a.getAttribute("href");
      link.textContent = a.dataset.principals !== undefined && a.querySelector("use") ? "Open the encounter" : "List these encounters";
      tip.appendChild(link);
      tip.hidden = false;
      const box = a.getBoundingClientRect();
      const frame = tip.offsetParent ? tip.offsetParent.getBoundingClientRect() : { left: 0, top: 0, width: window.innerWidth };
      const leftPx = Math.min(Math.max(box.left - frame.left + box.width / 2 - tip.offsetWidth / 2, 0), Math.max(0, frame.width - tip.offsetWidth));
      tip.style.left = `${leftPx}px`;
      tip.style.top = `${box.bottom - frame.top + 6}px`;
      a.setAttribute("aria-describedby", tip.id);
    }
    function hideTip() {
      tip.hidden = true;
    }
    const laterHide = () => {
      clearTimeout(hideTimer);
      hideTimer = setTimeout(hideTip, 400);
    };
    for (const mark of marks) {
      mark.a.addEventListener("mouseenter", () => showTip(mark));
      mark.a.addEventListener("focus", () => showTip(mark));
      mark.a.addEventListener("mouseleave", laterHide);
      mark.a.addEventListener("blur", laterHide);
    }
    tip.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    tip.addEventListener("mouseleave", laterHide);

    const fromUrl = viewFromUrl();
    if (fromUrl) view = clamp(fromUrl);
    draw();
  }
})();
