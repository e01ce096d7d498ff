import { describe, expect, it } from 'vitest';
import { UnknownNodeError, UnsolvableCycleError } from '../../graph/errors.js';
import { deserializeError, serializeError } from '../../server/analytics/analysis-pool.js';
import {
  ConflictError,
  deserializeDomainError,
  NotFoundError,
  PayloadTooLargeError,
  serializeDomainError,
  UnprocessableError,
  ValidationError,
} from '../../server/errors.js';

/** A structured clone is what postMessage does to a reply: only plain data survives it. */
const overTheThread = <T>(value: T): T => structuredClone(value);

describe('domain errors across a worker thread', () => {
  const fields = [{ path: 'company', message: 'is required' }];
  for (const ErrorClass of [ValidationError, NotFoundError, UnprocessableError, PayloadTooLargeError, ConflictError]) {
    it(`rebuilds ${ErrorClass.name} with its class, message, fields and code`, () => {
      const original = new ErrorClass('it went wrong', fields);
      const rebuilt = deserializeDomainError(overTheThread(serializeDomainError(original)));
      expect(rebuilt).toBeInstanceOf(ErrorClass);
      expect(rebuilt?.message).toBe('it went wrong');
      expect(rebuilt?.fields).toEqual(fields);
      expect(rebuilt?.code).toBe(original.code);
    });
  }

  it('answers undefined for anything that is not a domain error, so that the caller names the bug', () => {
    expect(deserializeDomainError(overTheThread(serializeDomainError(new TypeError('x is undefined'))))).toBeUndefined();
    expect(serializeDomainError('a string')).toEqual({ kind: 'Error', message: 'a string', fields: [] });
  });

  it("carries the engine's own errors through the analysis pool", () => {
    const unknown = deserializeError(overTheThread(serializeError(new UnknownNodeError('C-9', 'Company', 'company'))));
    expect(unknown).toBeInstanceOf(UnknownNodeError);
    expect(unknown).toMatchObject({ id: 'C-9', label: 'Company', field: 'company' });
    const cycle = deserializeError(overTheThread(serializeError(new UnsolvableCycleError('no way out'))));
    expect(cycle).toBeInstanceOf(UnsolvableCycleError);
    expect(cycle.message).toBe('no way out');
    expect(deserializeError(overTheThread(serializeError(new ConflictError('changed meanwhile'))))).toBeInstanceOf(ConflictError);
  });
});
