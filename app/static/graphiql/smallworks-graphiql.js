// The GraphiQL page of smallworks (development only). Its scripts and styles come from
// this server, so it works where no CDN can be reached. Adapted from Strawberry's page.
(function () {
  "use strict";

  // Query, variables and headers are kept in the address, so a link shares them.
  const parameters = {};
  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
    }
  }

  function updateURL(data) {
    Object.assign(parameters, data);
    const search = Object.keys(parameters)
      .filter((key) => Boolean(parameters[key]))
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
      .join("&");
    history.replaceState(null, null, "?" + search);
  }

  const url = window.location.href.split("?")[0].split("#")[0];
  const subscriptionUrl = (function () {
    const parsed = new URL(url);
    parsed.protocol = parsed.protocol === "https:" ? "wss:" : "ws:";
    return parsed.toString();
  })();

  const fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });
  const explorer = GraphiQLPluginExplorer.explorerPlugin();

  const EXAMPLE_QUERY = [
    "# smallworks GraphiQL (development)",
    "#",
    "# Sign in (Ctrl-Enter runs), then put the token in Headers below:",
    '# {"Authorization": "Bearer <accessToken>"}',
    "# and ask, e.g., { viewer { roles } }. Ctrl-Space completes.",
    "",
    "mutation SignIn {",
    '  login(input: {username: "owner", password: "smallworks-demo"}) {',
    "    accessToken",
    "    errors { code message }",
    "  }",
    "}",
    "",
  ].join("\n");

  function Page() {
    const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
    const [variables, setVariables] = React.useState(parameters.variables);
    const [headers, setHeaders] = React.useState(parameters.headers);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: query,
      variables: variables,
      headers: headers,
      onEditQuery: (value) => {
        setQuery(value);
        updateURL({ q: value });
      },
      onEditVariables: (value) => {
        setVariables(value);
        updateURL({ variables: value });
      },
      onEditHeaders: setHeaders,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Page));
})();
