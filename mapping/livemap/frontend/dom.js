/*
 * One small helper the other scripts share: make an element whose text is set as text, never
 * parsed as markup, so a site's name or source from the data cannot become markup or script.
 */
(function () {
  "use strict";

  LiveMap.Element = function (tag, className, value) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (value !== undefined) { node.textContent = value; }
    return node;
  };
})();
