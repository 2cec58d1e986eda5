/** The firings the calendar computes from calendar dates are cron-parser's, firing for firing, DST changes included. */
import { expect } from "chai";
import { cronFiringTimes, cronParserFiringTimes } from "../../../model/keda/cron-firings";

const FROM = new Date("2026-01-01T00:00:00Z");
const TO = new Date("2028-03-01T00:00:00Z");
const ZONES = [
  "Europe/Berlin",
  "Europe/London",
  "America/New_York",
  "America/Santiago",
  "Asia/Beirut",
  "Pacific/Chatham",
  "UTC",
];
const CRONS = [
  "0 0 1 9 *", // a season start
  "0 0 16 10 *", // a season end
  "0 0 1 1 *", // New Year, where a wrapping season ends
  "0 0 29 2 *", // leap years only
  "0 0 25 3 *", // near the European spring change
  "0 7 * * 1,2,3,4,5", // business hours start
  "30 17 * * 1,2,3,4,5", // business hours end
  "30 2 * * 0", // Sundays 02:30: skipped or repeated on DST Sundays in Europe
  "0 1 * * 0,6", // weekends 01:00: repeated in London in October
];

describe("cron firings over a period", function () {
  this.timeout(120_000);

  for (const zone of ZONES) {
    it(`equal cron-parser's in ${zone}`, () => {
      for (const cron of CRONS) {
        expect(
          cronFiringTimes(cron, zone, FROM, TO).map((t) => new Date(t).toISOString()),
          cron,
        ).to.deep.equal(cronParserFiringTimes(cron, zone, FROM, TO).map((t) => new Date(t).toISOString()));
      }
    });
  }

  it("leaves crons outside the stack's shapes to cron-parser", () => {
    for (const cron of ["*/15 9-17 * * 1-5", "0 0 L * *", "0 12 1,15 * *"]) {
      expect(cronFiringTimes(cron, "Europe/Berlin", FROM, new Date("2026-03-01T00:00:00Z"))).to.deep.equal(
        cronParserFiringTimes(cron, "Europe/Berlin", FROM, new Date("2026-03-01T00:00:00Z")),
      );
    }
  });
});
