import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Recorder metrics, registered in the gateway's registry (served by /metrics). While this instance records:
 * expected + replayed = written + skipped + gaps + rejected + dropped + spooled + buffered.
 */
export function createRecorderMetrics(registry: Registry) {
  const registers = [registry];
  return {
    active: new Gauge({ name: 'recorder_active', help: '1 while this instance holds the recorder lock and records', registers }),
    samplesExpected: new Counter({
      name: 'recorder_samples_expected_total',
      help: 'Samples due at the ticks this instance recorded: one per expected series and tick (taken or counted as a gap)',
      registers,
    }),
    samplesRecorded: new Counter({ name: 'recorder_samples_recorded_total', help: 'Samples taken from the live store', registers }),
    samplesWritten: new Counter({ name: 'recorder_samples_written_total', help: 'Samples written to the database', registers }),
    samplesSkipped: new Counter({
      name: 'recorder_samples_skipped_total',
      help: 'Samples the database already held (a replay after an ambiguous failure); not written twice',
      registers,
    }),
    sampleGaps: new Counter({
      name: 'recorder_sample_gaps_total',
      help: 'Expected samples not taken, by reason (stale, no-value, live-store-unavailable, missed-tick, not-recording: no recorder ran)',
      labelNames: ['reason'] as const,
      registers,
    }),
    rowsRejected: new Counter({
      name: 'recorder_rows_rejected_total',
      help: 'Rows (kind sample or session) refused by validation or by the database and kept in recorder_quarantine, by reason',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
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
    samplesSpooled: new Counter({
      name: 'recorder_samples_spooled_total',
      help: 'Samples not written before shutdown, saved to RECORDER_SPOOL_FILE',
      registers,
    }),
    samplesReplayed: new Counter({
      name: 'recorder_samples_replayed_total',
      help: 'Samples loaded from the spool file at start',
      registers,
    }),
    quarantineLost: new Counter({
      name: 'recorder_quarantine_rows_lost_total',
      help: 'Quarantine rows that could not be stored either (logged in full instead)',
      registers,
    }),
    bufferedSamples: new Gauge({ name: 'recorder_buffered_samples', help: 'Samples waiting for the database', registers }),
    bufferedSessions: new Gauge({ name: 'recorder_buffered_session_updates', help: 'Session updates waiting for the database', registers }),
    writeFailures: new Counter({ name: 'recorder_write_failures_total', help: 'Failed attempts to write to the database', registers }),
    lastWrite: new Gauge({
      name: 'recorder_last_write_timestamp_seconds',
      help: 'When this instance last stored a batch or completed a write round, Unix seconds',
      registers,
    }),
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
