// Statistics of the interleaved rounds: every figure the bench reports is a median over rounds, with
// its spread (lowest–highest round, interquartile range) and, from 6 rounds on, a distribution-free
// 95% confidence interval of the median (order statistics: no assumption about the shape of the noise).

const sorted = (values) => [...values].sort((a, b) => a - b);

export const median = (values) => quantile(values, 0.5);

/** The `p` quantile of `values`, interpolated between the two nearest ranks. */
export function quantile(values, p) {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * p;
  const low = Math.floor(at);
  return s[low] + (s[Math.ceil(at)] - s[low]) * (at - low);
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialCdf(n, k) {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = term;
  for (let i = 1; i <= k; i += 1) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/**
 * A confidence interval of the median of `values` at `level` or above: `[x(k), x(n−k+1)]` for the largest
 * rank k whose coverage 1 − 2·P(X ≤ k−1), X ~ Binomial(n, ½), is at least `level`; undefined when even the
 * lowest and highest value cover less (fewer than 6 values at 95%).
 */
export function medianInterval(values, level = 0.95) {
  const s = sorted(values);
  const n = s.length;
  let k = 0;
  while (k + 1 <= n / 2 && 1 - 2 * binomialCdf(n, k) >= level) k += 1;
  return k === 0 ? undefined : [s[k - 1], s[n - k]];
}

/** `{ values, median, range, iqr, ci }` of one series of per-round figures. */
export function summary(values) {
  const finite = values.filter(Number.isFinite);
  return {
    values,
    median: median(finite),
    range: [Math.min(...finite), Math.max(...finite)],
    iqr: [quantile(finite, 0.25), quantile(finite, 0.75)],
    ci: medianInterval(finite),
  };
}

/** Round by round `f(a[r], b[r])`: the subjects of a group run in the same rounds, so round r pairs with round r. */
export const paired = (a, b, f) => a.map((x, r) => f(x, b[r]));
