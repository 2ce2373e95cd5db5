"""ArUco marker detection and the geometry of one detected marker's four corners.

Corners are (4, 2) pixel coordinates (x right, y down) in ArUco's order: top-left, top-right,
bottom-right, bottom-left of the printed marker.
"""

from __future__ import annotations

import cv2
import numpy as np

from romcam.errors import CalibrationError

#: The printed marker: 4x4 bits, dictionary of 50, id 0 (see ``romcam calibrate targets``).
MARKER_DICTIONARY = cv2.aruco.DICT_4X4_50
MARKER_DICTIONARY_NAME = "DICT_4X4_50"
MARKER_ID = 0


def detect_markers(gray: np.ndarray) -> dict[int, np.ndarray]:
    """All DICT_4X4_50 markers in a (H, W) uint8 image: id -> (4, 2) float corners."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError(f"expected a (H, W) uint8 image; got {gray.shape} {gray.dtype}")
    params = cv2.aruco.DetectorParameters()
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(MARKER_DICTIONARY), params)
    corners, ids, _rejected = detector.detectMarkers(gray)
    if ids is None:
        return {}
    return {
        int(i): c.reshape(4, 2).astype(float) for i, c in zip(ids.ravel(), corners, strict=True)
    }


def find_marker(
    gray: np.ndarray, marker_id: int | None = MARKER_ID, where: str = "the image"
) -> np.ndarray:
    """(4, 2) corners of marker ``marker_id`` (None = the largest marker found).

    Raises CalibrationError when no such marker is visible.
    """
    found = detect_markers(gray)
    if marker_id is not None:
        found = {i: c for i, c in found.items() if i == marker_id}
    if not found:
        which = "an" if marker_id is None else f"the id-{marker_id}"
        raise CalibrationError(
            f"no ArUco marker ({which} {MARKER_DICTIONARY_NAME} marker) was found in {where}; "
            "print it with `romcam calibrate targets`, keep its white border visible, "
            "light it evenly and fill at least 1/20 of the frame width with it"
        )
    return refine_quad(gray, max(found.values(), key=quad_side_px))


def _edge_line(
    gray: np.ndarray, p0: np.ndarray, p1: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Sub-pixel line (point, unit direction) of the black-to-white edge from p0 to p1.

    Samples intensity profiles across the edge (outward normal) at points along its middle
    60 % and takes where each profile crosses half-way between black and white.
    """
    edge = p1 - p0
    length = float(np.linalg.norm(edge))
    direction = edge / length
    normal = np.array([direction[1], -direction[0]])  # outward for a clockwise-on-screen quad
    reach = float(np.clip(length / 15.0, 1.5, 6.0))  # stays inside the marker's border cell
    offsets = np.arange(-reach, reach + 1e-9, 0.25)
    along = np.linspace(0.2, 0.8, 24)
    centres = p0 + along[:, None] * edge
    samples = centres[:, None, :] + offsets[None, :, None] * normal
    profiles = cv2.remap(
        gray.astype(np.float32),
        samples[..., 0].astype(np.float32),
        samples[..., 1].astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    points = []
    for centre, profile in zip(centres, profiles, strict=True):
        mid = 0.5 * (profile[:3].mean() + profile[-3:].mean())
        above = np.nonzero(profile >= mid)[0]
        if profile[-3:].mean() - profile[:3].mean() < 20 or above.size == 0 or above[0] == 0:
            continue
        i = above[0]
        frac = (mid - profile[i - 1]) / (profile[i] - profile[i - 1])
        points.append(centre + (offsets[i - 1] + frac * (offsets[i] - offsets[i - 1])) * normal)
    if len(points) < 6:
        return None
    pts = np.array(points)
    centre = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - centre)
    return centre, vt[0]


def refine_quad(gray: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """(4, 2) corners re-estimated as intersections of sub-pixel lines fitted to the sides.

    ArUco's own corner refinement is biased inwards by ~0.25 px (1 % of a 50 px marker); the
    outer black-to-white edges are straight and long, so fitting them is far more precise.
    Returns the input unchanged when a side cannot be fitted (e.g. low contrast).
    """
    quad = _check_quad(corners)
    lines = [_edge_line(gray, quad[i], quad[(i + 1) % 4]) for i in range(4)]
    if any(line is None for line in lines):
        return quad
    refined = np.empty_like(quad)
    for i in range(4):
        (c0, d0), (c1, d1) = lines[i - 1], lines[i]  # type: ignore[misc]
        # corner i is where side i-1 (ending at it) meets side i (starting at it)
        a = np.column_stack([d0, -d1])
        if abs(np.linalg.det(a)) < 1e-6:
            return quad
        s = np.linalg.solve(a, c1 - c0)
        refined[i] = c0 + s[0] * d0
    return refined


def _check_quad(corners: np.ndarray) -> np.ndarray:
    quad = np.asarray(corners, dtype=float)
    if quad.shape != (4, 2) or not np.all(np.isfinite(quad)):
        raise ValueError(f"marker corners must be finite (4, 2); got {quad.shape}")
    return quad


def quad_side_px(corners: np.ndarray) -> float:
    """Mean length in pixels of the four sides of a (4, 2) quad."""
    quad = _check_quad(corners)
    sides = np.roll(quad, -1, axis=0) - quad
    return float(np.linalg.norm(sides, axis=1).mean())


def quad_roll_deg(corners: np.ndarray) -> float:
    """Roll in degrees implied by a level marker's (4, 2) corners (profile convention).

    Each side gives one estimate (top and bottom sides are horizontal, left and right sides
    vertical); they are averaged on the circle. A level line rising to the right is positive.
    """
    quad = _check_quad(corners)
    tl, tr, br, bl = quad
    horizontal = np.array([tr - tl, br - bl])
    vertical_up = np.array([tl - bl, tr - br])
    # Screen y points down, so negate it to measure counter-clockwise on screen.
    angles = np.concatenate(
        [
            np.arctan2(-horizontal[:, 1], horizontal[:, 0]),
            np.arctan2(-vertical_up[:, 0], -vertical_up[:, 1]),
        ]
    )
    return float(np.degrees(np.angle(np.exp(1j * angles).mean())))


#: IPPE gives two poses for a square; the second must fit this many times worse to be ruled out.
POSE_AMBIGUITY_RATIO = 3.0


def marker_rotation(
    corners: np.ndarray, camera_matrix: np.ndarray, dist_coeffs: np.ndarray
) -> np.ndarray | None:
    """(3, 3) rotation from marker axes (x right, y up, z out of the print) to camera axes.

    Uses the square-marker PnP solver (IPPE_SQUARE); the marker size does not affect rotation.
    A square seen nearly face-on fits two mirror-image tilts almost equally well; then the tilt
    is unknowable and None is returned.
    """
    quad = _check_quad(corners)
    half = 0.5
    object_points = np.array(
        [[-half, half, 0.0], [half, half, 0.0], [half, -half, 0.0], [-half, -half, 0.0]]
    )
    n, rvecs, _tvecs, errors = cv2.solvePnPGeneric(
        object_points, quad, camera_matrix, dist_coeffs, flags=cv2.SOLVEPNP_IPPE_SQUARE
    )
    if n == 0:
        raise CalibrationError("the marker's pose could not be solved; photograph it face-on")
    errors = np.asarray(errors, dtype=float).ravel()
    order = np.argsort(errors)
    if n > 1 and errors[order[1]] < POSE_AMBIGUITY_RATIO * max(errors[order[0]], 1e-3):
        return None
    rotation, _ = cv2.Rodrigues(rvecs[order[0]])
    return np.asarray(rotation, dtype=float)
