// eslint's settings for the project's own JavaScript (the live map's frontend, and any script
// beside the Python that draws maps). `make lint-js` runs it; `make test` runs `make lint`.
import js from "@eslint/js";
import globals from "globals";

// Data never becomes markup or script: text goes in with textContent, not innerHTML.
const MARKUP_SINKS = ["innerHTML", "outerHTML"].map((property) => ({
  selector: `AssignmentExpression[left.property.name='${property}']`,
  message: `Assigning ${property} parses data as markup: build elements and set textContent.`,
}));

export default [
  {
    ignores: ["node_modules/", "static/", ".venv/", "mutants/", "tests/artifacts/", "benchmarks/out/"],
  },
  js.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        ...globals.browser,
        L: "readonly", // Leaflet, loaded before the map's scripts
        LiveMap: "writable", // the namespace the live map's scripts share
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      eqeqeq: ["error", "always"],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-script-url": "error",
      "no-restricted-syntax": ["error", ...MARKUP_SINKS],
      "no-restricted-properties": [
        "error",
        {
          property: "insertAdjacentHTML",
          message: "This parses data as markup: build elements and set textContent.",
        },
        { object: "document", property: "write", message: "Build elements instead." },
      ],
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "prefer-const": "off", // the frontend is written with var, read by folium's templates too
    },
  },
];
