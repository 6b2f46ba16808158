import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working local defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgresql://atelier:atelier@127.0.0.1:5432/atelier');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.predictionSampleRate).toBe(1);
  });

  it('splits a broker list and coerces numbers', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', PORT: '3005', PREDICTION_SAMPLE_RATE: '0.25' });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.port).toBe(3005);
    expect(config.predictionSampleRate).toBe(0.25);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PREDICTION_SAMPLE_RATE: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ PREDICTION_SAMPLE_RATE: '2' })).toThrow(/PREDICTION_SAMPLE_RATE/);
  });
});
