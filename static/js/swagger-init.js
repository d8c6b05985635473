// The API reference, drawn from /openapi.json by the vendored Swagger UI (no CDN, no inline script).
window.ui = window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
