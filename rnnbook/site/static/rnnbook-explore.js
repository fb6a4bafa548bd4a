/* The interactive figures of rnnbook.explore on a narrow screen (a phone).
 *
 * A figure is drawn for a column about 700 px wide: its panels side by side, the legend on the
 * right. Below PHONE_WIDTH pixels that leaves each panel a sliver and the panel titles on top of
 * each other, so this script re-lays the figure out: panels stacked, each the full width, the
 * legend in rows above them, the titles above their panels, a text block (a sample, say) below the
 * last panel instead of beside it, and a row of buttons too wide for the screen becomes a drop-down
 * menu. The frames that the sliders and
 * buttons show carry the titles' positions too, so they are moved in every frame. Back above the
 * width (a phone turned sideways, a window made wider) the figure's own layout returns.
 * The figure's data and the stored HTML are not changed; rnnbook.site.sphinxext adds this script
 * to the pages that hold a figure, after plotly.js.
 */
(function () {
  "use strict";
  var PHONE_WIDTH = 560;  // px of the figure's container
  var PANEL_HEIGHT = 230; // px of one stacked panel's plotting area
  var PANEL_GAP = 80;     // px between stacked panels: x-axis title, then the next panel's title
  var LEGEND_ROW = 22;    // px per row of the horizontal legend
  var MODEBAR = 30;       // px above the legend for plotly's zoom and download buttons
  var TEXT_ROW = 20;      // px per line of a text block (font size 14)

  function axisNames(layout, letter) {
    return Object.keys(layout).filter(function (key) {
      return new RegExp("^" + letter + "axis\\d*$").test(key);
    }).sort(function (a, b) {
      return (parseInt(a.slice(5), 10) || 1) - (parseInt(b.slice(5), 10) || 1);
    });
  }

  function isTitle(annotation) {
    return annotation && annotation.xref === "paper" && annotation.yref === "paper" &&
      annotation.yanchor === "bottom" && annotation.y === 1;
  }

  /* A text block of rnnbook.explore: an annotation whose top left corner is at the top of the plot. */
  function isText(annotation) {
    return annotation && annotation.xref === "paper" && annotation.yref === "paper" &&
      annotation.yanchor === "top" && annotation.xanchor === "left" && annotation.y === 1;
  }

  function textLines(annotation) {
    return String(annotation.text || "").split("<br>").length;
  }

  /* The most lines the k-th text block has in any frame (the figure's own layout included). */
  function textRows(gd, saved) {
    var rows = saved.annotations.filter(isText).map(textLines);
    var frames = gd._transitionData ? gd._transitionData._frames : [];
    frames.forEach(function (frame, f) {
      var k = 0;
      ((frame.layout || {}).annotations || []).forEach(function (a, i) {
        var home = saved.frameTitles[f] && saved.frameTitles[f][i];
        if (home && isText({xref: a.xref, yref: a.yref, yanchor: a.yanchor, xanchor: a.xanchor,
                            y: home[1]})) {
          rows[k] = Math.max(rows[k] || 0, textLines(a));
          k += 1;
        }
      });
    });
    return rows;
  }

  /* The figure's own layout, kept once: what a wide screen shows. */
  function original(gd) {
    if (!gd._rnnbookOriginal) {
      var layout = gd.layout;
      var xs = axisNames(layout, "x");
      gd._rnnbookOriginal = {
        height: layout.height || gd.clientHeight,
        wrapperHeight: gd.parentElement.style.height,
        margin: JSON.parse(JSON.stringify(layout.margin || {})),
        legend: JSON.parse(JSON.stringify(layout.legend || {})),
        xaxes: xs,
        yaxes: xs.map(function (x) { return "y" + x.slice(1); }),
        xDomains: xs.map(function (x) { return (layout[x].domain || [0, 1]).slice(); }),
        annotations: JSON.parse(JSON.stringify(layout.annotations || [])),
        menus: layout.updatemenus || [],
        menuTypes: (layout.updatemenus || []).map(function (m) { return m.type || "dropdown"; }),
        menuDirections: (layout.updatemenus || []).map(function (m) { return m.direction || "down"; }),
        frameTitles: (gd._transitionData ? gd._transitionData._frames : []).map(function (frame) {
          return ((frame.layout || {}).annotations || []).map(function (a) { return [a.x, a.y]; });
        })
      };
    }
    return gd._rnnbookOriginal;
  }

  /* Index of the panel whose original x domain is centred on a title at x. */
  function panelOf(saved, x) {
    var best = 0, distance = Infinity;
    saved.xDomains.forEach(function (domain, k) {
      var d = Math.abs((domain[0] + domain[1]) / 2 - x);
      if (d < distance) { best = k; distance = d; }
    });
    return best;
  }

  function legendItems(gd) {
    return gd.data.filter(function (trace) { return trace.showlegend !== false && trace.name; }).length;
  }

  function phoneLayout(gd, saved) {
    var n = saved.xaxes.length;
    var width = gd.clientWidth;
    if (n === 0) {  // a table alone: it fills the width already; only the menus change
      return {height: gd._fullLayout.height, updatemenus: phoneMenus(gd, saved, width)};
    }
    var items = legendItems(gd);
    var perRow = Math.max(1, Math.floor((width - 20) / 110));
    var legendHeight = items ? Math.ceil(items / perRow) * LEGEND_ROW + 6 : 0;
    var panelsHeight = n * PANEL_HEIGHT + (n - 1) * PANEL_GAP;
    var rows = textRows(gd, saved);  // text blocks go below the panels, one after the other
    var textHeight = rows.reduce(function (sum, r) { return sum + r * TEXT_ROW + 20; }, 0);
    var plotHeight = panelsHeight + (rows.length ? PANEL_GAP + textHeight : 0);
    var margin = {l: 56, r: 12, t: MODEBAR + legendHeight + 30, b: saved.margin.b || 0};
    var height = margin.t + plotHeight + margin.b;
    var tops = [];
    var update = {
      height: height,
      margin: margin,
      legend: {orientation: "h", x: 0, xanchor: "left", y: 1 - MODEBAR / height, yanchor: "top",
               yref: "container", font: {size: 11}}
    };
    for (var k = 0; k < n; k++) {
      var top = 1 - k * (PANEL_HEIGHT + PANEL_GAP) / plotHeight;
      tops.push(top);
      update[saved.xaxes[k] + ".domain"] = [0, 1];
      update[saved.yaxes[k] + ".domain"] = [Math.max(0, top - PANEL_HEIGHT / plotHeight), top];
    }
    var textTops = [], below = panelsHeight + PANEL_GAP;
    rows.forEach(function (r) {
      textTops.push(1 - below / plotHeight);
      below += r * TEXT_ROW + 20;
    });
    var k = 0;
    update.annotations = saved.annotations.map(function (a) {
      if (isText(a)) { k += 1; return Object.assign({}, a, {x: 0, y: textTops[k - 1]}); }
      if (!isTitle(a)) { return a; }
      return Object.assign({}, a, {x: 0.5, y: tops[panelOf(saved, a.x)]});
    });
    moveFrameTitles(gd, saved, function (a) { return [0.5, tops[panelOf(saved, a.x)]]; },
                    function (k) { return [0, textTops[k]]; });
    var menus = phoneMenus(gd, saved, width);
    if (menus.length) { update.updatemenus = menus; }
    return update;
  }

  /* A row of buttons wider than the phone would run off its edge: make it a drop-down menu that
   * opens upwards, over the plots. */
  function phoneMenus(gd, saved, width) {
    return currentMenus(gd, saved).map(function (menu, m) {
      var row = (menu.buttons || []).reduce(function (sum, b) {
        return sum + 7 * String(b.label).length + 22;
      }, 0);
      var wide = saved.menuTypes[m] === "buttons" && row > width - 30;
      return Object.assign({}, menu, wide ? {type: "dropdown", direction: "up"} : {});
    });
  }

  function wideLayout(gd, saved) {
    var update = {height: saved.height, margin: saved.margin, legend: saved.legend,
                  annotations: saved.annotations};
    saved.xaxes.forEach(function (x, k) {
      update[x + ".domain"] = saved.xDomains[k];
      update[saved.yaxes[k] + ".domain"] = [0, 1];
    });
    moveFrameTitles(gd, saved, null, null);
    var menus = currentMenus(gd, saved).map(function (menu, m) {
      return Object.assign({}, menu, {type: saved.menuTypes[m], direction: saved.menuDirections[m]});
    });
    if (menus.length) { update.updatemenus = menus; }
    return update;
  }

  /* The menus as the reader left them (which button is active), in the figure's own form. */
  function currentMenus(gd, saved) {
    var current = gd.layout.updatemenus || [];
    return saved.menus.map(function (menu, m) {
      return Object.assign({}, menu, current[m] ? {active: current[m].active} : {});
    });
  }

  /* Put the titles and text blocks of every frame where `place` and `placeText` say (null: back
   * where the figure had them). */
  function moveFrameTitles(gd, saved, place, placeText) {
    var frames = gd._transitionData ? gd._transitionData._frames : [];
    frames.forEach(function (frame, f) {
      var annotations = (frame.layout || {}).annotations || [];
      var k = 0;
      annotations.forEach(function (a, i) {
        var home = saved.frameTitles[f] && saved.frameTitles[f][i];
        if (!home) { return; }
        var xy;
        if (isText({xref: a.xref, yref: a.yref, yanchor: a.yanchor, xanchor: a.xanchor,
                    y: home[1]})) {
          xy = placeText ? placeText(k) : home;
          k += 1;
        } else if (isTitle({xref: a.xref, yref: a.yref, yanchor: a.yanchor, y: home[1]})) {
          xy = place ? place({x: home[0]}) : home;
        } else {
          return;
        }
        a.x = xy[0];
        a.y = xy[1];
      });
    });
  }

  function adapt(gd) {
    if (!gd.layout || !gd._fullLayout || !window.Plotly) { return; }
    var narrow = gd.parentElement.clientWidth < PHONE_WIDTH;
    if (narrow === gd._rnnbookNarrow) { return; }
    var saved = original(gd);
    var update = narrow ? phoneLayout(gd, saved) : wideLayout(gd, saved);
    gd._rnnbookNarrow = null;  // changing
    gd.parentElement.style.height = narrow ? update.height + "px" : saved.wrapperHeight;
    // The menus are removed first and drawn again: changing a menu's type in place would leave
    // its old buttons behind.
    window.Plotly.relayout(gd, {updatemenus: []}).then(function () {
      return window.Plotly.relayout(gd, update);
    }).then(function () { gd._rnnbookNarrow = narrow; });
  }

  function whenPlotted(gd, callback, tries) {
    if (gd._fullLayout && gd._fullLayout._size) { callback(gd); return; }
    if ((tries || 0) < 200) {
      window.requestAnimationFrame(function () { whenPlotted(gd, callback, (tries || 0) + 1); });
    }
  }

  function adaptAll() {
    document.querySelectorAll(".rnnbook-explore .js-plotly-plot").forEach(function (gd) {
      whenPlotted(gd, adapt);
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(adaptAll, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", adaptAll);
  } else {
    adaptAll();
  }
})();
