"""Geodesic distances on the WGS84 ellipsoid (Vincenty's formulae), as pure functions.

R5's exclusion zones and R10's proximity are distances on the ground, so they are measured
on the ellipsoid rather than on a sphere: at UK latitudes the haversine formula is off by
up to half a per cent, which is a metre at a 200 m zone's edge. Vincenty's iteration
converges to well under a millimetre for any two points that are not nearly antipodal;
for those (never both inside one police force area) it falls back to the last iterate,
which is still within a fraction of a per cent.
"""

from __future__ import annotations

import math

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)

_MAX_ITERATIONS = 200
_TOLERANCE = 1e-12


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres between two WGS84 points given in degrees."""
    return inverse(lat1, lon1, lat2, lon2)[0]


def inverse(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float, float]:
    """Vincenty's inverse problem: (distance in metres, initial azimuth, final azimuth),
    azimuths in degrees clockwise from north."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0, 0.0, 0.0
    a, b, f = WGS84_A, WGS84_B, WGS84_F
    big_l = math.radians(_wrap180(lon2 - lon1))
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sin_u1, cos_u1 = math.sin(u1), math.cos(u1)
    sin_u2, cos_u2 = math.sin(u2), math.cos(u2)
    lam = big_l
    sin_sigma = cos_sigma = sigma = cos_sq_alpha = cos_2sigma_m = 0.0
    sin_lam = cos_lam = 0.0
    for _ in range(_MAX_ITERATIONS):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0, 0.0, 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos_sq_alpha = 1 - sin_alpha * sin_alpha
        # On the equator cos_sq_alpha is 0 and the term below is not used.
        cos_2sigma_m = cos_sigma - 2 * sin_u1 * sin_u2 / cos_sq_alpha if cos_sq_alpha != 0 else 0.0
        c = f / 16 * cos_sq_alpha * (4 + f * (4 - 3 * cos_sq_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sigma_m + c * cos_sigma * (-1 + 2 * cos_2sigma_m * cos_2sigma_m))
        )
        if abs(lam - previous) < _TOLERANCE:
            break
    u_sq = cos_sq_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = (
        big_b
        * sin_sigma
        * (
            cos_2sigma_m
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sigma_m * cos_2sigma_m)
                - big_b / 6 * cos_2sigma_m * (-3 + 4 * sin_sigma * sin_sigma) * (-3 + 4 * cos_2sigma_m * cos_2sigma_m)
            )
        )
    )
    s = b * big_a * (sigma - delta_sigma)
    alpha1 = math.atan2(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
    alpha2 = math.atan2(cos_u1 * sin_lam, -sin_u1 * cos_u2 + cos_u1 * sin_u2 * cos_lam)
    return s, math.degrees(alpha1) % 360, math.degrees(alpha2) % 360


def destination(lat: float, lon: float, azimuth_deg: float, distance: float) -> tuple[float, float]:
    """Vincenty's direct problem: the point `distance` metres from (lat, lon) along the
    geodesic leaving at `azimuth_deg`. Used to build test points at exact distances."""
    a, b, f = WGS84_A, WGS84_B, WGS84_F
    alpha1 = math.radians(azimuth_deg)
    sin_alpha1, cos_alpha1 = math.sin(alpha1), math.cos(alpha1)
    tan_u1 = (1 - f) * math.tan(math.radians(lat))
    cos_u1 = 1 / math.sqrt(1 + tan_u1 * tan_u1)
    sin_u1 = tan_u1 * cos_u1
    sigma1 = math.atan2(tan_u1, cos_alpha1)
    sin_alpha = cos_u1 * sin_alpha1
    cos_sq_alpha = 1 - sin_alpha * sin_alpha
    u_sq = cos_sq_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    sigma = distance / (b * big_a)
    cos_2sigma_m = sin_sigma = cos_sigma = 0.0
    for _ in range(_MAX_ITERATIONS):
        cos_2sigma_m = math.cos(2 * sigma1 + sigma)
        sin_sigma, cos_sigma = math.sin(sigma), math.cos(sigma)
        delta_sigma = (
            big_b
            * sin_sigma
            * (
                cos_2sigma_m
                + big_b
                / 4
                * (
                    cos_sigma * (-1 + 2 * cos_2sigma_m * cos_2sigma_m)
                    - big_b / 6 * cos_2sigma_m * (-3 + 4 * sin_sigma * sin_sigma) * (-3 + 4 * cos_2sigma_m * cos_2sigma_m)
                )
            )
        )
        previous = sigma
        sigma = distance / (b * big_a) + delta_sigma
        if abs(sigma - previous) < _TOLERANCE:
            break
    cos_2sigma_m = math.cos(2 * sigma1 + sigma)
    sin_sigma, cos_sigma = math.sin(sigma), math.cos(sigma)
    tmp = sin_u1 * sin_sigma - cos_u1 * cos_sigma * cos_alpha1
    lat2 = math.atan2(
        sin_u1 * cos_sigma + cos_u1 * sin_sigma * cos_alpha1,
        (1 - f) * math.hypot(sin_alpha, tmp),
    )
    lam = math.atan2(sin_sigma * sin_alpha1, cos_u1 * cos_sigma - sin_u1 * sin_sigma * cos_alpha1)
    c = f / 16 * cos_sq_alpha * (4 + f * (4 - 3 * cos_sq_alpha))
    big_l = lam - (1 - c) * f * sin_alpha * (
        sigma + c * sin_sigma * (cos_2sigma_m + c * cos_sigma * (-1 + 2 * cos_2sigma_m * cos_2sigma_m))
    )
    return math.degrees(lat2), _wrap180(lon + math.degrees(big_l))


def _wrap180(degrees: float) -> float:
    wrapped = (degrees + 180.0) % 360.0 - 180.0
    return 180.0 if wrapped == -180.0 and degrees > 0 else wrapped
