// Starts Swagger UI on the API docs page (a file, not inline: the page's CSP forbids inline scripts).
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger",
    validatorUrl: null,
    deepLinking: true,
  });
});
