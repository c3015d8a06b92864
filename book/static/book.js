// The static book's slider panels: each panel's controls snap to its stops
// (a range input over the stop indices); moving one swaps in the image and
// the status line precomputed for that combination of stops.
// A panel opens on the notebook's own picture and values, which need not be
// stops; the first move snaps every control to its nearest stop, and every
// readout then shows the stop drawn.
// Data of a panel: <script type="application/json" class="nnlib-panel-data">
//   {"labels": [[stop labels of control 0], ...], "index": [nearest stops],
//    "frames": {"i,j,...": [image src, status text], ...}}
(function () {
  "use strict";
  function setUp(panel) {
    var data = JSON.parse(panel.querySelector(".nnlib-panel-data").textContent);
    var index = data.index.slice();
    var image = panel.querySelector(".nnlib-panel-image");
    var status = panel.querySelector(".nnlib-panel-status code");
    var inputs = panel.querySelectorAll("input[data-control]");
    var readouts = panel.querySelectorAll("output[data-control]");
    function show() {
      var key = index.join(",");
      var frame = data.frames[key];
      readouts.forEach(function (readout) {
        var control = Number(readout.getAttribute("data-control"));
        readout.textContent = data.labels[control][index[control]];
      });
      inputs.forEach(function (input) {
        var control = Number(input.getAttribute("data-control"));
        input.setAttribute("aria-valuetext", data.labels[control][index[control]]);
      });
      image.src = frame[0];
      image.alt = frame[1];
      status.textContent = frame[1];
      panel.setAttribute("data-key", key);
    }
    inputs.forEach(function (input) {
      var control = Number(input.getAttribute("data-control"));
      input.addEventListener("input", function () {
        index[control] = Number(input.value);
        show();
      });
    });
  }
  document.querySelectorAll(".nnlib-panel").forEach(setUp);
})();
