import { describe, expect, it } from "vitest";
import { expectClose, fixture } from "./fixture.testing.js";
import {
  erf,
  erfc,
  logBeta,
  logGamma,
  normalCdf,
  normalIsf,
  normalPdf,
  normalQuantile,
  normalSf,
  normalTwoSidedPValue,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTIsf,
  studentTPdf,
  studentTQuantile,
  studentTSf,
  studentTTwoSidedPValue,
} from "./special.js";

const { special } = fixture;
const DFS = [0.5, 1, 2, 2.5, 3, 5, 10, 30, 100, 1000, 1e4, 1e6, 1e8, 1e10];

describe("studentTCdf", () => {
  it("matches scipy's t.cdf and t.sf when evaluated on the df × t grid", () => {
    expect(special.tCdf.length).toBeGreaterThan(200);
    for (const [t, df, cdf, sf] of special.tCdf) {
      // 1e-12: far inside the 1e-9 (1e-7 in extreme tails) the statistics need; measured ≤ 7e-14.
      expectClose(studentTCdf(t, df), cdf, `t.cdf(${t}, ${df})`, 1e-12);
      expectClose(studentTSf(t, df), sf, `t.sf(${t}, ${df})`, 1e-12);
    }
  });

  it("equals the Cauchy CDF ½ + atan(t)/π when df is 1", () => {
    // Including t = −1e-8, where scipy 1.17 is 1.5e-9 off (hence not in the fixture).
    for (const t of [-1e10, -1e3, -3, -1, -1e-8, 1e-8, 0.5, 2, 1e6]) {
      const exact = t < 0 ? Math.atan(-1 / t) / Math.PI : 0.5 + Math.atan(t) / Math.PI;
      expectClose(studentTCdf(t, 1), exact, `t=${t}`, 1e-13);
    }
  });

  it("equals ½ + t/(2√(2 + t²)) when df is 2", () => {
    for (const t of [-50, -3, -0.1, 0.1, 1, 7]) {
      // ½ − |t|/(2√(2 + t²)) = 1/(√(2 + t²)(√(2 + t²) + |t|)), without the cancellation.
      const r = Math.sqrt(2 + t * t);
      const lower = 1 / (r * (r + Math.abs(t)));
      expectClose(studentTCdf(t, 2), t < 0 ? lower : 1 - lower, `t=${t}`, 1e-13);
    }
  });

  it("is symmetric when t changes sign", () => {
    for (const df of DFS) {
      for (const t of [0.01, 0.7, 2, 9, 100]) {
        expect(studentTCdf(-t, df)).toBe(studentTSf(t, df));
        expectClose(studentTCdf(t, df) + studentTCdf(-t, df), 1, `df=${df} t=${t}`, 1e-15);
      }
    }
  });

  it("increases in t and its tails shrink as df grows when t is fixed", () => {
    for (const df of DFS) {
      let previous = 0;
      for (let t = -30; t <= 30; t += 0.25) {
        const v = studentTCdf(t, df);
        expect(v, `df=${df} t=${t}`).toBeGreaterThanOrEqual(previous);
        previous = v;
      }
    }
    for (let i = 1; i < DFS.length; i++) {
      expect(studentTSf(3, DFS[i]!)).toBeLessThan(studentTSf(3, DFS[i - 1]!));
    }
  });

  it("approaches the normal CDF when df is huge or infinite", () => {
    expect(studentTCdf(-2, Number.POSITIVE_INFINITY)).toBe(normalCdf(-2));
    // First-order expansion: F_ν(t) ≈ Φ(t) − φ(t)(t³ + t)/(4ν).
    const nu = 1e12;
    expectClose(studentTCdf(-2, nu), normalCdf(-2) + (normalPdf(-2) * 10) / (4 * nu), "df 1e12", 1e-13);
  });

  it("keeps its digits when the tail is extreme", () => {
    expectClose(studentTCdf(-1e200, 1), 1 / (Math.PI * 1e200), "t=-1e200", 1e-13);
    expect(studentTCdf(Number.NEGATIVE_INFINITY, 3)).toBe(0);
    expect(studentTCdf(Number.POSITIVE_INFINITY, 3)).toBe(1);
    expect(studentTCdf(0, 3)).toBe(0.5);
  });

  it("returns NaN when an argument is NaN and throws when df is not positive", () => {
    expect(studentTCdf(Number.NaN, 3)).toBeNaN();
    expect(studentTCdf(1, Number.NaN)).toBeNaN();
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
    expect(() => studentTCdf(1, -2)).toThrow(RangeError);
  });
});

describe("studentTTwoSidedPValue", () => {
  it("equals twice the survival function of |t| when t is either sign", () => {
    for (const [t, df, , sf] of special.tCdf) {
      if (t <= 0) continue;
      expectClose(studentTTwoSidedPValue(t, df), 2 * sf, `t=${t} df=${df}`, 1e-12);
      expectClose(studentTTwoSidedPValue(-t, df), 2 * sf, `t=${-t} df=${df}`, 1e-12);
    }
  });

  it("is 1 when t is 0 and 0 when t is infinite", () => {
    expect(studentTTwoSidedPValue(0, 5)).toBe(1);
    expect(studentTTwoSidedPValue(Number.POSITIVE_INFINITY, 5)).toBe(0);
    expect(studentTTwoSidedPValue(Number.NEGATIVE_INFINITY, 5)).toBe(0);
  });

  it("decreases when |t| grows", () => {
    for (const df of DFS) {
      let previous = 1;
      for (let t = 0; t <= 40; t += 0.5) {
        const p = studentTTwoSidedPValue(t, df);
        expect(p, `df=${df} t=${t}`).toBeLessThanOrEqual(previous);
        previous = p;
      }
    }
  });
});

describe("studentTQuantile", () => {
  it("matches scipy's t.ppf and t.isf when evaluated on the df × p grid", () => {
    expect(special.tPpf.length).toBeGreaterThan(100);
    for (const [p, df, ppf, isf] of special.tPpf) {
      expectClose(studentTQuantile(p, df), ppf, `t.ppf(${p}, ${df})`, 1e-12);
      expectClose(studentTIsf(p, df), isf, `t.isf(${p}, ${df})`, 1e-12);
    }
  });

  it("inverts the CDF when applied to its output", () => {
    for (const df of DFS) {
      for (const p of [1e-300, 1e-50, 1e-12, 1e-4, 0.01, 0.2, 0.49, 0.5, 0.51, 0.9, 0.999]) {
        const t = studentTQuantile(p, df);
        if (!Number.isFinite(t)) continue; // df 0.5 at 1e-300 overflows
        expectClose(studentTCdf(t, df), p, `df=${df} p=${p}`, 1e-12);
      }
    }
  });

  it("equals tan(π(p − ½)) when df is 1 and (2p − 1)/√(2p(1 − p)) when df is 2", () => {
    for (const p of [1e-10, 0.001, 0.2, 0.5, 0.75, 0.975]) {
      // tan(π(p − ½)) = −cot(πp), the form that keeps its digits for small p.
      expectClose(studentTQuantile(p, 1), p === 0.5 ? 0 : -1 / Math.tan(Math.PI * p), `df 1 p=${p}`, 1e-12, 1e-15);
      expectClose(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), `df 2 p=${p}`, 1e-12, 1e-15);
    }
  });

  it("gives critical values that shrink toward 1.96 when df grows", () => {
    let previous = Number.POSITIVE_INFINITY;
    for (const df of DFS) {
      const c = studentTIsf(0.025, df);
      expect(c).toBeLessThan(previous);
      previous = c;
    }
    expectClose(studentTIsf(0.025, Number.POSITIVE_INFINITY), normalIsf(0.025), "df ∞", 1e-15);
    expectClose(previous, 1.959963984540054, "df 1e10", 1e-9);
  });

  it("is antisymmetric and increasing when p varies", () => {
    for (const df of [0.5, 2.5, 30, 1e6]) {
      let previous = Number.NEGATIVE_INFINITY;
      for (const p of [1e-9, 1e-5, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
        const t = studentTQuantile(p, df);
        expect(t).toBeGreaterThan(previous);
        previous = t;
        expect(studentTIsf(p, df) + 0).toBe(-studentTQuantile(p, df) + 0); // + 0: −0 and 0 alike
      }
    }
  });

  it("returns ∓∞ at 0 and 1 and 0 at ½, and throws when p is outside [0, 1]", () => {
    expect(studentTQuantile(0, 4)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTQuantile(1, 4)).toBe(Number.POSITIVE_INFINITY);
    expect(studentTQuantile(0.5, 4)).toBe(0);
    expect(() => studentTQuantile(1.5, 4)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
    expect(studentTQuantile(Number.NaN, 4)).toBeNaN();
  });
});

describe("studentTPdf", () => {
  it("equals the derivative of the CDF when compared with a central difference", () => {
    for (const df of [1, 2.5, 30, 1e6]) {
      for (const t of [-4, -0.5, 0, 1.3, 6]) {
        // Differences of the lower tail for t ≤ 0 and of the upper tail above: no cancellation near 1.
        const h = 1e-5 * Math.max(1, Math.abs(t));
        const numeric =
          t <= 0
            ? (studentTCdf(t + h, df) - studentTCdf(t - h, df)) / (2 * h)
            : (studentTSf(t - h, df) - studentTSf(t + h, df)) / (2 * h);
        expectClose(studentTPdf(t, df), numeric, `df=${df} t=${t}`, 1e-6);
      }
    }
    expectClose(studentTPdf(0, 1), 1 / Math.PI, "Cauchy at 0", 1e-14);
  });
});

describe("normalCdf", () => {
  it("matches scipy's norm.cdf and norm.sf when evaluated from −37.5 to 8.3", () => {
    for (const [z, cdf, sf] of special.normCdf) {
      expectClose(normalCdf(z), cdf, `norm.cdf(${z})`, 1e-13);
      expectClose(normalSf(z), sf, `norm.sf(${z})`, 1e-13);
    }
  });

  it("keeps subnormal values when z is below −37.5 where scipy underflows", () => {
    // mpmath (50 digits): ncdf(−38) = 2.8854283600687843e-316.
    expectClose(normalCdf(-38), 2.8854283600687843e-316, "Φ(−38)", 1e-6);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it("is symmetric and increasing when z varies", () => {
    let previous = 0;
    for (let z = -10; z <= 10; z += 0.05) {
      const v = normalCdf(z);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
      expect(normalCdf(-z)).toBe(normalSf(z));
      expectClose(normalCdf(z) + normalCdf(-z), 1, `z=${z}`, 1e-15);
    }
  });

  it("gives the two-sided p-value 2Φ(−|z|) when given a z statistic", () => {
    expectClose(normalTwoSidedPValue(1.959963984540054), 0.05, "z 1.96", 1e-14);
    expect(normalTwoSidedPValue(0)).toBe(1);
    expect(normalTwoSidedPValue(-3)).toBe(normalTwoSidedPValue(3));
    expect(normalTwoSidedPValue(Number.NaN)).toBeNaN();
  });
});

describe("normalQuantile", () => {
  it("matches scipy's norm.ppf and norm.isf when p spans 1e-300 to 1 − 1e-10", () => {
    for (const [q, ppf, isf] of special.normPpf) {
      expectClose(normalQuantile(q), ppf, `norm.ppf(${q})`, 1e-13, 1e-300);
      expectClose(normalIsf(q), isf, `norm.isf(${q})`, 1e-13, 1e-300);
    }
  });

  it("inverts normalCdf when applied to its output", () => {
    for (const p of [1e-300, 1e-200, 1e-30, 1e-9, 0.0001, 0.02425, 0.3, 0.5, 0.6, 0.97575, 0.999999]) {
      expectClose(normalCdf(normalQuantile(p)), p, `p=${p}`, 1e-13);
    }
  });

  it("returns ∓∞ at 0 and 1 and throws when p is outside [0, 1]", () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(0.5)).toBe(0);
    expect(() => normalQuantile(-0.1)).toThrow(RangeError);
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });
});

describe("erf", () => {
  it("matches scipy's erf and erfc when evaluated from −3 to 26", () => {
    for (const [x, e, ec] of special.erf) {
      expectClose(erf(x), e, `erf(${x})`, 1e-13);
      expectClose(erfc(x), ec, `erfc(${x})`, 1e-13);
    }
  });

  it("is odd and complements erfc when x varies", () => {
    for (let x = -6; x <= 6; x += 0.1) {
      expect(erf(-x)).toBe(-erf(x));
      expectClose(erf(x) + erfc(x), 1, `x=${x}`, 1e-15);
    }
    expectClose(erfc(27), 5.2370489237892557e-319, "erfc(27), subnormal", 1e-4);
    expect(erf(Number.NaN)).toBeNaN();
  });
});

describe("regularizedIncompleteBeta", () => {
  it("matches scipy's betainc when given small, large and lopsided parameters", () => {
    for (const [a, b, x, v] of special.betainc) {
      expectClose(regularizedIncompleteBeta(a, b, x), v, `betainc(${a}, ${b}, ${x})`, 1e-12);
    }
  });

  it("satisfies I_x(a, b) = 1 − I_{1−x}(b, a) and I_x(1, 1) = x when evaluated anywhere", () => {
    for (const [a, b] of [
      [0.5, 0.5],
      [2, 7],
      [40, 3],
      [1e4, 0.5],
    ] as const) {
      for (const x of [0.01, 0.2, 0.5, 0.8, 0.99]) {
        expectClose(regularizedIncompleteBeta(a, b, x) + regularizedIncompleteBeta(b, a, 1 - x), 1, `${a},${b},${x}`, 1e-13);
      }
    }
    for (const x of [0, 0.25, 0.5, 1]) expectClose(regularizedIncompleteBeta(1, 1, x), x, `x=${x}`, 1e-15);
  });

  it("returns 0 and 1 at the ends and throws when a parameter is not positive", () => {
    expect(regularizedIncompleteBeta(2, 3, 0)).toBe(0);
    expect(regularizedIncompleteBeta(2, 3, 1)).toBe(1);
    expect(() => regularizedIncompleteBeta(0, 3, 0.5)).toThrow(RangeError);
    expect(() => regularizedIncompleteBeta(2, 3, 1.5)).toThrow(RangeError);
  });
});

describe("logGamma", () => {
  it("matches scipy's gammaln when x spans 1e-8 to 1e15", () => {
    for (const [x, v] of special.gammaln) expectClose(logGamma(x), v, `gammaln(${x})`, 1e-13, 1e-15);
  });

  it("equals ln((n − 1)!) when x is an integer", () => {
    let factorial = 1;
    for (let n = 1; n <= 25; n++) {
      expectClose(logGamma(n), Math.log(factorial), `n=${n}`, 1e-14, 1e-15);
      factorial *= n;
    }
  });

  it("matches scipy's betaln when the arguments are balanced or lopsided", () => {
    for (const [a, b, v] of special.betaln) {
      expectClose(logBeta(a, b), v, `betaln(${a}, ${b})`, 1e-12);
      expect(logBeta(b, a)).toBe(logBeta(a, b));
    }
    // mpmath (50 digits), where scipy's betaln is 3.5e-11 off.
    expectClose(logBeta(0.5, 5e5), -5.9888164957774643, "betaln(0.5, 5e5)", 1e-14);
  });

  it("throws when x is not positive", () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logBeta(1, -1)).toThrow(RangeError);
  });
});
