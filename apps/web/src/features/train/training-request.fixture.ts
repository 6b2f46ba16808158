/** The least a training request needs besides its model, for the specs of the training form. */
export const MINIMAL_REQUEST = {
  modelName: 'm',
  source: { group: 'rows' },
  window: { start: '2001-01-01T00:00:00Z', validationStart: '2001-01-02T00:00:00Z', end: '2001-01-03T00:00:00Z' },
  requestFeatures: ['x'],
  label: 'y',
};
