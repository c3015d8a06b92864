// The static book's slider panels: each panel's controls snap to its stops
// (a range input over the stop indices); moving one swaps in the image and
// the status line precomputed for that combination of stops.
// Data of a panel: <script type="application/json" class="nnlib-panel-data">
//   {"labels": [[stop labels of control 0], ...], "index": [current stops],
//    "frames": {"i,j,...": [image src, status text], ...}}
(function () {
  "use strict";
  function setUp(panel) {
    var data = JSON.parse(panel.querySelector(".nnlib-panel-data").textContent);
    var index = data.index.slice();
    var image = panel.querySelector(".nnlib-panel-image");
    var status = panel.querySelector(".nnlib-panel-status code");
    function show() {
      var frame = data.frames[index.join(",")];
      image.src = frame[0];
      image.alt = frame[1];
      status.textContent = frame[1];
      panel.setAttribute("data-key", index.join(","));
    }
    panel.querySelectorAll("input[data-control]").forEach(function (input) {
      var control = Number(input.getAttribute("data-control"));
      var readout = input.parentNode.querySelector("output");
      input.addEventListener("input", function () {
        index[control] = Number(input.value);
        readout.textContent = data.labels[control][index[control]];
        input.setAttribute("aria-valuetext", readout.textContent);
        show();
      });
    });
  }
  document.querySelectorAll(".nnlib-panel").forEach(setUp);
})();
