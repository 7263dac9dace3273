// One Server-Sent Events message: whatever the names in it hold, its data is
// one line, so a hostile name cannot end the message or start a field.
import { describe, expect, it } from 'vitest';
import { sseMessage } from '../../lib/serve/sse-clients';

describe('sseMessage', () => {
  it('writes id, event and one data line of JSON, then a blank line', () => {
    expect(sseMessage('model', { a: 1 }, 7).toString()).toBe('id: 7\nevent: model\ndata: {"a":1}\n\n');
    expect(sseMessage('resync', { generation: 2 }).toString()).toBe('event: resync\ndata: {"generation":2}\n\n');
  });

  it('keeps CR and LF in names inside the JSON string', () => {
    const name = 'x\n\nevent: evil\r\ndata: 1';
    const text = sseMessage('model', { name }).toString();
    const lines = text.split(/\r\n|\r|\n/);
    expect(lines).toEqual(['event: model', `data: ${JSON.stringify({ name })}`, '', '']);
    expect(JSON.parse(lines[1].slice('data: '.length))).toEqual({ name });
  });
});
