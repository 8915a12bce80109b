import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/declarations/index.ts';
import { parseScenarios } from '../../src/tools/fleet/load.ts';
import { callKey, findTool, TOOL_SPECS, ToolName } from '../../src/tools/registry.ts';

describe('tool registry', () => {
  it('derives the names, the function definitions and dispatch from the declarations alone', () => {
    const declared = TOOLS.map((t) => t.name);
    expect(ToolName.options).toEqual(declared);
    expect(TOOL_SPECS.map((s) => s.name)).toEqual(declared);
    for (const t of TOOLS) {
      expect(findTool(t.name)).toBe(t);
      const spec = TOOL_SPECS.find((s) => s.name === t.name);
      expect(spec?.description).toBe(t.description);
      expect(spec?.parameters).toMatchObject({ type: 'object', additionalProperties: false });
    }
    expect(findTool('delete_database')).toBeUndefined();
    expect(new Set(TOOLS.map((t) => t.gate))).toEqual(new Set(['read', 'proposal', 'escalation']));
  });

  it('keys a call by its validated arguments: defaults filled, clamped, key order ignored', () => {
    expect(callKey('fetch_recent_logs', { server_id: 'a' })).toBe(
      callKey('fetch_recent_logs', { lines: 50, server_id: 'a' }),
    );
    expect(callKey('fetch_recent_logs', { server_id: 'a', lines: 999 })).toBe(
      callKey('fetch_recent_logs', { server_id: 'a', lines: 200 }),
    );
    expect(callKey('get_server_health', { server_id: ' a ' })).toBe(
      callKey('get_server_health', { server_id: 'a' }),
    );
    expect(callKey('get_server_health', { server_id: 'a' })).not.toBe(
      callKey('get_server_health', { server_id: 'b' }),
    );
    // Invalid or unknown calls still get a stable key from what was sent.
    expect(callKey('nope', { b: 1, a: 2 })).toBe(callKey('nope', { a: 2, b: 1 }));
  });

  it('a scenario file may only name declared tools in never_call', () => {
    const file = (tool: string) => `
- id: s1
  report: "web-01 is down"
  servers:
    web-01: { health: { cpu: 1, memory: 1, status: down }, logs: [] }
  expect: { never_call: [${tool}] }
`;
    expect(() => parseScenarios(file('restart_service'), 'ok.yaml')).not.toThrow();
    expect(() => parseScenarios(file('reboot_everything'), 'bad.yaml')).toThrow(/never_call\.0/);
  });
});
