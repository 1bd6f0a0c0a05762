// Starts Swagger UI on /docs from the package's own copy; a static file, as the CSP allows no
// inline script. No validator badge: it would ask a remote service about the document.
"use strict";
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") return;
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    domNode: root,
    // No deep links: they put a link inside each operation's toggle button (nested controls).
    deepLinking: false,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
  // Swagger UI lists the operations itself: the plain list is for pages without script.
  document.getElementById("operations").hidden = true;
});
