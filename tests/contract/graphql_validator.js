#!/usr/bin/env node
// Validates GraphQL documents against a schema (SDL) with graphql-js, the
// reference implementation that the campaign API's Apollo server runs.
//
//   node graphql_validator.js SCHEMA.graphql OPERATIONS.json
//     OPERATIONS.json: [{"name": ..., "text": ...}, ...]. Prints one line per
//     operation ("ok NAME" or "INVALID NAME: message"); exit 0 when all are
//     valid, 1 when any is not, 2 on bad usage or an unreadable schema.
//   node graphql_validator.js SCHEMA.graphql --serve
//     One JSON object per line on stdin, {"query": "..."}; answers one line
//     per request on stdout, {"errors": ["message", ...]} (empty when valid).
//     The fake campaign API runs it as a child process.
'use strict';

const fs = require('fs');
const readline = require('readline');
const { buildSchema, parse, validate } = require('graphql');

function usage(message) {
  process.stderr.write(`graphql_validator: ${message}\n` +
    'usage: graphql_validator.js SCHEMA.graphql (OPERATIONS.json | --serve)\n');
  process.exit(2);
}

function loadSchema(path) {
  try {
    return buildSchema(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    usage(`cannot load the schema ${path}: ${e.message}`);
  }
}

// The messages Apollo would answer with (HTTP 400, GRAPHQL_VALIDATION_FAILED).
function errorsOf(schema, text) {
  let document;
  try {
    document = parse(text);
  } catch (e) {
    return [e.message];
  }
  return validate(schema, document).map((e) => e.message);
}

function checkFile(schema, path) {
  let operations;
  try {
    operations = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    usage(`cannot read ${path}: ${e.message}`);
  }
  if (!Array.isArray(operations) || operations.length === 0) usage(`${path}: expected a non-empty array`);
  let invalid = 0;
  for (const op of operations) {
    const errors = errorsOf(schema, String(op.text));
    if (errors.length === 0) {
      process.stdout.write(`ok ${op.name}\n`);
    } else {
      invalid += 1;
      process.stdout.write(`INVALID ${op.name}: ${errors.join('; ')}\n`);
    }
  }
  process.stdout.write(`${operations.length - invalid} valid, ${invalid} invalid\n`);
  process.exit(invalid === 0 ? 0 : 1);
}

function serve(schema) {
  const cache = new Map();  // the service sends a dozen distinct texts
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let errors;
    try {
      const query = String(JSON.parse(line).query);
      errors = cache.get(query);
      if (errors === undefined) {
        errors = errorsOf(schema, query);
        cache.set(query, errors);
      }
    } catch (e) {
      errors = [`bad validator request: ${e.message}`];
    }
    process.stdout.write(JSON.stringify({ errors }) + '\n');
  });
}

const [schemaPath, what] = process.argv.slice(2);
if (!schemaPath || !what) usage('two arguments expected');
const schema = loadSchema(schemaPath);
if (what === '--serve') serve(schema);
else checkFile(schema, what);
