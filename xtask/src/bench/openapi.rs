//! A large generated OpenAPI document for the compatibility benchmark: `paths` paths with a
//! GET and a POST each, parameters, request and response schemas through `$ref`s.

use std::fmt::Write as _;

/// The document; `revised` removes a response property, adds a required request property and
/// an enum value on every tenth path (changes for every kind of walk).
pub fn spec(paths: usize, revised: bool) -> String {
    let mut out = String::from("openapi: 3.1.0\ninfo:\n  title: bench\n  version: 1.0.0\npaths:\n");
    for i in 0..paths {
        let _ = write!(
            out,
            "  /items{i}/{{id}}:\n    parameters:\n      - {{name: id, in: path, required: true, schema: {{type: string}}}}\n    get:\n      parameters:\n        - {{name: limit, in: query, schema: {{type: integer, maximum: 100}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Item{i}'}}\n        '404':\n          description: missing\n    post:\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/New{i}'}}\n      responses:\n        '201':\n          description: created\n"
        );
    }
    out.push_str("components:\n  schemas:\n");
    for i in 0..paths {
        let changed = revised && i % 10 == 0;
        let kinds = if changed { "[a, b, c]" } else { "[a, b]" };
        let _ = write!(
            out,
            "    Item{i}:\n      type: object\n      properties:\n        id: {{type: string}}\n"
        );
        if !changed {
            out.push_str("        name: {type: string}\n");
        }
        let _ = write!(
            out,
            "        kind: {{type: string, enum: {kinds}}}\n      required: [id]\n"
        );
        let _ = write!(
            out,
            "    New{i}:\n      type: object\n      properties:\n        name: {{type: string, maxLength: 64}}\n"
        );
        if changed {
            out.push_str("        owner: {type: string}\n      required: [name, owner]\n");
        } else {
            out.push_str("      required: [name]\n");
        }
    }
    out
}
