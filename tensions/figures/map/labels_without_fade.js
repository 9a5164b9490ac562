// Each Plotly map in the page places its text at once: MapLibre would fade every label in over 300 ms and keep
// drawing frames until the fade ends, so a map redrawn for a mode switch or a filter was busy a third of a second
// longer. Plotly offers no option for MapLibre's `fadeDuration`; its map keeps the value in `_fadeDuration`.
(() => {
  if (window.tensionsLabelsWithoutFade) return;  // one observer per page, however often the script is mounted
  window.tensionsLabelsWithoutFade = true;
  const withoutFade = () => {
    for (const plot of document.querySelectorAll(".js-plotly-plot")) {
      const layout = plot._fullLayout;
      for (const id of (layout && layout._subplots && layout._subplots.map) || []) {
        const map = layout[id] && layout[id]._subplot && layout[id]._subplot.map;
        if (map) map._fadeDuration = 0;
      }
    }
  };
  withoutFade();
  // A new map adds its canvas to the page before it draws any label; other changes (hover labels, text) are let be.
  const addsCanvas = (node) => node.nodeName === "CANVAS" || (node.querySelector && node.querySelector("canvas"));
  new MutationObserver((changes) => {
    if (changes.some((change) => [...change.addedNodes].some(addsCanvas))) withoutFade();
  }).observe(document.body, { childList: true, subtree: true });
})();
