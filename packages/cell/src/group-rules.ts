import { LoptError } from '@lopt/core';

import { DEFAULT_GROUP } from './group-names.js';
import { assertGroupName } from './optimizer-json.js';

/** A serializable grouping rule: variables whose name matches `pattern` (a RegExp source) use `group`. */
export interface GroupRule {
  readonly pattern: string;
  readonly group: string;
}

/**
 * Which cell optimizes a variable: a function of the variable name, or rules (first match wins).
 * Unmatched variables use 'default'. Prefer rules: a function cannot be serialized with the optimizer.
 */
export type GroupOf = ((variableName: string) => string) | readonly GroupRule[];

/** The grouping as a function of the variable name (rules compiled to RegExps). */
export function compileGroupOf(groupOf: GroupOf | undefined): (name: string) => string {
  if (groupOf === undefined) return () => DEFAULT_GROUP;
  if (typeof groupOf === 'function') return groupOf;
  const rules = groupOf.map((rule) => {
    assertGroupName(rule.group);
    try {
      return { re: new RegExp(rule.pattern), group: rule.group };
    } catch (cause) {
      throw new LoptError('INVALID_ARGUMENT', `Group rule pattern ${JSON.stringify(rule.pattern)} is not a valid RegExp.`, {
        hint: 'Write the pattern as a JavaScript RegExp source, e.g. "conv2d_\\\\d+/kernel".',
        cause,
      });
    }
  });
  return (name) => rules.find((r) => r.re.test(name))?.group ?? 'default';
}

/** A serialized group rule back as a GroupRule (its JSON text), or `bad`'s error. */
export function parseRule(text: unknown, bad: (what: string) => LoptError): GroupRule {
  try {
    const rule = JSON.parse(String(text)) as { pattern?: unknown; group?: unknown };
    if (typeof rule.pattern === 'string' && typeof rule.group === 'string') return { pattern: rule.pattern, group: rule.group };
  } catch {
    // reported below
  }
  throw bad(`group rule ${JSON.stringify(text)} is malformed.`);
}
