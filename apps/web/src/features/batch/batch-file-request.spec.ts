import { describe, expect, it } from 'vitest';

import { fileJobFields, initialFileForm } from './batch-file-request';

describe("the 'Score a file' form's fields", () => {
  it('sends what was typed: an alias or a version, the time column, join keys and passthrough columns', () => {
    expect(
      fileJobFields({
        ...initialFileForm,
        model: 'flight-delay',
        target: ' v3 ',
        timeColumn: ' scheduled ',
        joinKeys: 'airport = origin\ncarrier=airline',
        passthrough: 'flight_no, ,destination',
        publish: true,
      }),
    ).toEqual({
      fields: {
        model: 'flight-delay',
        version: 3,
        timeColumn: 'scheduled',
        joinKeys: { airport: 'origin', carrier: 'airline' },
        passthrough: ['flight_no', 'destination'],
        publish: true,
      },
    });
    expect(fileJobFields({ ...initialFileForm, model: 'm' })).toEqual({ fields: { model: 'm', alias: 'production' } });
    expect(fileJobFields({ ...initialFileForm, model: 'm', target: '' })).toEqual({ fields: { model: 'm' } });
  });

  it('names what must be fixed before anything is sent', () => {
    expect(fileJobFields({ ...initialFileForm, joinKeys: 'airport, a=b=c' })).toEqual({
      problems: [
        'model: choose the model that scores the file',
        'join keys: "airport" is not entity=column',
        'join keys: "a=b=c" is not entity=column',
      ],
    });
  });
});
