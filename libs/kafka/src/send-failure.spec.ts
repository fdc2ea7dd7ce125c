import { classifySendFailure } from './send-failure';

/** A broker error as kafkajs wraps it: its type on a cause under the retry error. */
function brokerError(type: string): Error {
  return new Error('retries exhausted', { cause: Object.assign(new Error(`broker said ${type}`), { type }) });
}

describe('classifySendFailure', () => {
  it('tells a batch the broker will refuse whatever is resent from one that may have been written', () => {
    expect(classifySendFailure(brokerError('MESSAGE_TOO_LARGE'))).toBe('too-large');
    expect(classifySendFailure(brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe('unwritten');
    for (const type of ['TOPIC_AUTHORIZATION_FAILED', 'INVALID_RECORD']) expect(classifySendFailure(brokerError(type))).toBe('refused');
    // A cut connection or a timeout: the batch may be in the log; only the same producer can settle it.
    expect(classifySendFailure(brokerError('REQUEST_TIMED_OUT'))).toBe('in-doubt');
    expect(classifySendFailure(brokerError('NOT_ENOUGH_REPLICAS'))).toBe('in-doubt');
    expect(classifySendFailure(brokerError('UNKNOWN_TOPIC_OR_PARTITION'))).toBe('in-doubt');
    expect(classifySendFailure(new Error('Connection error: ECONNRESET'))).toBe('in-doubt');
  });
});
