// The API reference, drawn from /openapi.json by the vendored Swagger UI (no CDN, no inline script).
//
// Four settings keep it accessible (axe checks it in tests/e2e):
// - deepLinking is off: with it, each operation's path is a link inside the button that opens
//   the operation, a control nested in a control.
// - the title block (the page's h1) sits in a labelled region, so every part of the page is in
//   a landmark; Swagger UI's own <main id="operations"> is the page's one main landmark.
// - syntax highlighting is off: its colours on a dark panel fall below 4.5:1 contrast.
// - an h2 leads into the operations, whose groups are h3: headings go down one level at a time.
function accessibleLayout(system) {
  const h = system.React.createElement;
  return {
    wrapComponents: {
      InfoContainer: (Original) => (props) =>
        h("section", { className: "api-intro", "aria-label": "About the API" }, h(Original, props)),
      operations: (Original) => (props) =>
        h(system.React.Fragment, null,
          h("h2", { className: "api-operations-title" }, "Endpoints"),
          h(Original, props)),
    },
  };
}

window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: false,
  syntaxHighlight: { activated: false },
  presets: [window.SwaggerUIBundle.presets.apis],
  plugins: [accessibleLayout],
});
