"""Bayes accuracies of the synthetic genuine/posed smiles (Preprocessing/SyntheticSmiles.swift).

Model (the generator's doc comment): per clip an image factor s in {-1, +1} (which of two smile
motions the flow image shows, 50/50) and a dynamics factor b ~ N(0, 1), independent; the label is
posed iff lam * s + b > 0 with lam = Phi^-1(0.75). The flow images show only s; features.csv shows
only b, through three columns linear in b with Gaussian measurement noise (slope / noise sd = 4
each: lip onset duration 0.50 - 0.08 b + N(0, 0.02), lip offset duration 0.80 - 0.12 b + N(0, 0.03),
lip left/right amplitude ratio 1.03 + 0.03 b + N(0, 0.0075)); every other column is independent
of b or a deterministic function of these and of b-independent draws. The sufficient statistic of
the features is then the GLS estimate bh = b + e, e ~ N(0, se^2), se^2 = 1 / (3 * 4^2) = 1/48.

Bayes rules (prior symmetric, posterior b | bh ~ N(bh / (1 + se^2), se^2 / (1 + se^2))):
- images alone (s exact): predict posed iff s = +1; accuracy Phi(lam) = 0.75;
- features alone: P(posed | bh) = (Phi((m + lam)/t) + Phi((m - lam)/t)) / 2 is increasing in m and
  1/2 at m = 0, so predict posed iff bh > 0;
- both: predict posed iff m > -lam * s, i.e. bh > -lam * s * (1 + se^2);
- both, with the image factor read wrongly with probability eps: numerical, by quadrature over bh.
Each accuracy is an orthant probability of the bivariate normal (b, bh), checked by Monte Carlo.

Run: /work/venv-losses/bin/python scripts/reference/smile_bayes_accuracy.py
"""
import numpy as np
from scipy.stats import norm, multivariate_normal
from scipy.integrate import quad

lam = norm.ppf(0.75)
se2 = 1.0 / (3 * 4.0 ** 2)
cov = [[1.0, 1.0], [1.0, 1.0 + se2]]
mvn = multivariate_normal(mean=[0, 0], cov=cov)


def orthant(b_cut, bh_cut):
    """P(b > b_cut, bh > bh_cut) + P(b < b_cut, bh < bh_cut)."""
    low = mvn.cdf([b_cut, bh_cut])
    both_high = 1 - norm.cdf(b_cut) - norm.cdf(bh_cut, scale=np.sqrt(1 + se2)) + low
    return both_high + low


images = norm.cdf(lam)
features = orthant(-lam, 0.0)          # s = +1; s = -1 is the mirror image
both = orthant(-lam, -lam * (1 + se2))


def both_with_image_error(eps):
    """Bayes accuracy when the classifier sees s' = s flipped with probability eps, and bh."""
    t = np.sqrt(se2 / (1 + se2))
    sd_bh = np.sqrt(1 + se2)

    def integrand(bh):
        m = bh / (1 + se2)
        p_posed_if_s_pos = 1 - norm.cdf((-lam - m) / t)   # P(b > -lam | bh)
        p_posed_if_s_neg = 1 - norm.cdf((lam - m) / t)    # P(b > +lam | bh)
        # s' = +1 observed: P(s = +1 | s') = 1 - eps.
        p = (1 - eps) * p_posed_if_s_pos + eps * p_posed_if_s_neg
        return max(p, 1 - p) * norm.pdf(bh, scale=sd_bh)
    return quad(integrand, -12, 12, limit=200)[0]


rng = np.random.default_rng(1)
n = 2_000_000
s = rng.choice([-1.0, 1.0], n)
b = rng.standard_normal(n)
bh = b + np.sqrt(se2) * rng.standard_normal(n)
y = lam * s + b > 0
mc = {
    "images": np.mean((s > 0) == y),
    "features": np.mean((bh > 0) == y),
    "both": np.mean((bh > -lam * s * (1 + se2)) == y),
}
print(f"lambda = {lam:.6f}, se^2 = {se2:.6f} (se = {np.sqrt(se2):.4f})")
print(f"Bayes accuracy, images alone:   {images:.4f}  (Monte Carlo {mc['images']:.4f})")
print(f"Bayes accuracy, features alone: {features:.4f}  (Monte Carlo {mc['features']:.4f})")
print(f"Bayes accuracy, both:           {both:.4f}  (Monte Carlo {mc['both']:.4f})")
for eps in (0.05, 0.1, 0.2):
    print(f"image factor misread {eps:.2f}: images alone {(1 - eps) * images + eps * (1 - images):.4f}, both {both_with_image_error(eps):.4f}")
print(f"(check: eps = 0 by quadrature {both_with_image_error(0.0):.4f})")
