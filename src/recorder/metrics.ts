import { Counter, Gauge, type Registry } from 'prom-client';

/** Recorder metrics, registered in the gateway's registry (served by /metrics). */
export function createRecorderMetrics(registry: Registry) {
  const registers = [registry];
  return {
    active: new Gauge({ name: 'recorder_active', help: '1 while this instance holds the recorder lock and records', registers }),
    samplesRecorded: new Counter({ name: 'recorder_samples_recorded_total', help: 'Samples taken from the live store', registers }),
    samplesWritten: new Counter({ name: 'recorder_samples_written_total', help: 'Samples written to the database', registers }),
    samplesDropped: new Counter({
      name: 'recorder_samples_dropped_total',
      help: 'Samples lost because the outage buffer (RECORDER_BUFFER_SIZE) was full',
      registers,
    }),
    sessionsDropped: new Counter({
      name: 'recorder_session_updates_dropped_total',
      help: 'Session updates lost because the outage buffer was full',
      registers,
    }),
    bufferedSamples: new Gauge({ name: 'recorder_buffered_samples', help: 'Samples waiting for the database', registers }),
    bufferedSessions: new Gauge({ name: 'recorder_buffered_session_updates', help: 'Session updates waiting for the database', registers }),
    writeFailures: new Counter({ name: 'recorder_write_failures_total', help: 'Failed attempts to write to the database', registers }),
    samplesPruned: new Counter({ name: 'recorder_samples_pruned_total', help: 'Raw samples deleted after RAW_RETENTION_DAYS', registers }),
    ...createMeterCounterMetrics(registers),
  };
}

export type RecorderMetrics = ReturnType<typeof createRecorderMetrics>;

/** Meter-counter readings that were not energy, by series family (`chargepoint.energyImported`). */
function createMeterCounterMetrics(registers: Registry[]) {
  const labelNames = ['series'] as const;
  return {
    meterGlitches: new Counter({
      name: 'meter_counter_glitches_total',
      help: 'Meter readings found to be transient glitches (drops or spikes) and not counted as energy',
      labelNames,
      registers,
    }),
    meterResets: new Counter({
      name: 'meter_counter_resets_total',
      help: 'Meter resets or replacements recognised by a sustained new baseline',
      labelNames,
      registers,
    }),
    meterRollovers: new Counter({ name: 'meter_counter_rollovers_total', help: 'Meter register rollovers', labelNames, registers }),
  };
}
