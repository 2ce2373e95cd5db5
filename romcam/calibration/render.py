"""Synthetic camera views of flat printed targets, with known intrinsics, distortion and pose.

Used to check the calibration code against ground truth (tests, self-checks): a target page
(any (h, w) uint8 texture at a known px/mm) is placed in 3-D and imaged through a pinhole
camera with OpenCV's distortion model, by inverse mapping every output pixel onto the page.
Coordinates: camera x right, y down, z forward; the page's x right, y down, z into the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

#: Output pixels are rendered at this many samples per side, then averaged (anti-aliasing).
SUPERSAMPLE = 2


@dataclass(frozen=True)
class PinholeCamera:
    """Camera intrinsics: K (3, 3) pixels, OpenCV dist_coeffs (k,), image width x height."""

    camera_matrix: np.ndarray
    dist_coeffs: np.ndarray
    width: int
    height: int
    _rays: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def rays(self) -> np.ndarray:
        """(H*S, W*S, 2) undistorted normalised coordinates of the supersampled pixel centres."""
        if "rays" not in self._rays:
            s = SUPERSAMPLE
            xs = (np.arange(self.width * s) + 0.5) / s - 0.5
            ys = (np.arange(self.height * s) + 0.5) / s - 0.5
            grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 1, 2)
            norm = cv2.undistortPoints(grid, self.camera_matrix, self.dist_coeffs)
            self._rays["rays"] = norm.reshape(self.height * s, self.width * s, 2)
        return self._rays["rays"]

    def project(self, points_cam: np.ndarray) -> np.ndarray:
        """(N, 2) distorted pixel positions of (N, 3) points given in camera coordinates."""
        zero = np.zeros(3)
        pixels, _ = cv2.projectPoints(
            np.asarray(points_cam, dtype=float).reshape(-1, 1, 3),
            zero,
            zero,
            self.camera_matrix,
            self.dist_coeffs,
        )
        return pixels.reshape(-1, 2)


def rotation_roll_pitch_yaw(roll_deg: float, pitch_deg: float, yaw_deg: float = 0.0) -> np.ndarray:
    """(3, 3) world-to-camera rotation of a camera rolled, pitched and turned from level.

    World axes are a level camera's (x right, y down, z forward). ``pitch_deg`` > 0 tilts the
    camera up, ``yaw_deg`` > 0 turns it right, and ``roll_deg`` > 0 lowers its right side, so
    that a level line appears rising to the right by ``roll_deg`` (the profile convention).
    """
    r, p, y = np.radians([roll_deg, pitch_deg, yaw_deg])
    roll = np.array([[np.cos(r), np.sin(r), 0], [-np.sin(r), np.cos(r), 0], [0, 0, 1]])
    pitch = np.array([[1, 0, 0], [0, np.cos(p), np.sin(p)], [0, -np.sin(p), np.cos(p)]])
    yaw = np.array([[np.cos(y), 0, -np.sin(y)], [0, 1, 0], [np.sin(y), 0, np.cos(y)]])
    return roll @ pitch @ yaw


@dataclass(frozen=True)
class PlacedPage:
    """A page in camera coordinates: ``origin`` (3,) mm of its top-left corner and its axes.

    ``x_axis`` and ``y_axis`` are (3,) unit vectors of the page's right and down directions.
    """

    origin: np.ndarray
    x_axis: np.ndarray
    y_axis: np.ndarray

    def to_camera(self, page_mm: np.ndarray) -> np.ndarray:
        """(N, 3) camera coordinates of (N, 2) page points in mm."""
        pts = np.asarray(page_mm, dtype=float).reshape(-1, 2)
        return self.origin + pts[:, :1] * self.x_axis + pts[:, 1:] * self.y_axis


def place_page(
    rotation: np.ndarray,
    centre_world: np.ndarray,
    page_size_mm: tuple[float, float],
    page_rotation_deg: float = 0.0,
) -> PlacedPage:
    """A page facing a level camera (its x along world x), seen by a camera of ``rotation``.

    Args:
        rotation: (3, 3) world-to-camera rotation (camera at the world origin).
        centre_world: (3,) mm, where the page centre is in world coordinates.
        page_size_mm: (width, height) of the texture in mm.
        page_rotation_deg: in-plane turn of the page about its centre, counter-clockwise as
            seen by the camera (0 = hung level).
    """
    a = np.radians(page_rotation_deg)
    x_world = np.array([np.cos(a), -np.sin(a), 0.0])
    y_world = np.array([np.sin(a), np.cos(a), 0.0])
    w, h = page_size_mm
    origin_world = np.asarray(centre_world, float) - 0.5 * w * x_world - 0.5 * h * y_world
    return PlacedPage(rotation @ origin_world, rotation @ x_world, rotation @ y_world)


def render_page(
    camera: PinholeCamera,
    texture: np.ndarray,
    texture_px_per_mm: float,
    page: PlacedPage,
    background: int = 128,
) -> np.ndarray:
    """(H, W) uint8 camera image of a (h, w) uint8 ``texture`` placed as ``page``."""
    homography = np.column_stack([page.x_axis, page.y_axis, page.origin])
    rays = camera.rays()
    hom = np.concatenate([rays, np.ones((*rays.shape[:2], 1))], axis=-1)
    plane = hom @ np.linalg.inv(homography).T
    behind = plane[..., 2] <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        map_x = (plane[..., 0] / plane[..., 2]) * texture_px_per_mm - 0.5
        map_y = (plane[..., 1] / plane[..., 2]) * texture_px_per_mm - 0.5
    map_x[behind] = -1e6
    big = cv2.remap(
        texture,
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=background,
    )
    return cv2.resize(big, (camera.width, camera.height), interpolation=cv2.INTER_AREA)


def webcam(width: int = 640, height: int = 480, fov_deg: float = 62.0) -> PinholeCamera:
    """A typical laptop webcam: square pixels, centred principal point, mild barrel distortion."""
    f = 0.5 * width / np.tan(np.radians(fov_deg) / 2)
    k = np.array([[f, 0, (width - 1) / 2], [0, f, (height - 1) / 2], [0, 0, 1.0]])
    return PinholeCamera(k, np.array([-0.18, 0.06, 0.0, 0.0, 0.0]), width, height)


def marker_view(
    camera: PinholeCamera,
    texture: np.ndarray,
    texture_px_per_mm: float,
    page_size_mm: tuple[float, float],
    marker_centre_mm: tuple[float, float],
    *,
    roll_deg: float = 0.0,
    pitch_deg: float = 0.0,
    distance_mm: float = 1000.0,
) -> tuple[np.ndarray, PlacedPage]:
    """(H, W) image of a level page on a wall, its marker on the optical axis, and the page.

    ``marker_centre_mm`` is where the marker's centre is on the page (x, y from the top-left).
    """
    rotation = rotation_roll_pitch_yaw(roll_deg, pitch_deg)
    forward = rotation.T @ np.array([0.0, 0.0, 1.0])
    page_centre = 0.5 * np.asarray(page_size_mm)
    offset = page_centre - np.asarray(marker_centre_mm)
    centre_world = forward * distance_mm + np.array([offset[0], offset[1], 0.0])
    page = place_page(rotation, centre_world, page_size_mm)
    return render_page(camera, texture, texture_px_per_mm, page, background=200), page


def board_view_pages(
    camera: PinholeCamera,
    page_size_mm: tuple[float, float],
    n_views: int,
    rng: np.random.Generator,
    *,
    distance_mm: float = 500.0,
    spread: float = 0.8,
    corners: bool = True,
) -> list[PlacedPage]:
    """``n_views`` tilted page placements whose centres aim at spread-out image points.

    With ``corners`` the first four aim near the image corners, so the views cover the whole
    frame; the others aim within ``spread`` (fraction of the half-frame) of the centre.
    """
    aims = [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)] if corners else []
    aims += [tuple(rng.uniform(-spread, spread, 2)) for _ in range(max(n_views - len(aims), 0))]
    pages = []
    for ax, ay in aims[:n_views]:
        u = (camera.width - 1) / 2 + ax * 0.3 * camera.width
        v = (camera.height - 1) / 2 + ay * 0.28 * camera.height
        ray = np.linalg.solve(camera.camera_matrix, np.array([u, v, 1.0]))
        centre = ray / np.linalg.norm(ray) * distance_mm
        tilt = rotation_roll_pitch_yaw(*rng.uniform([-15, -25, -25], [15, 25, 25]))
        x_axis, y_axis = tilt @ np.array([1.0, 0, 0]), tilt @ np.array([0, 1.0, 0])
        w, h = page_size_mm
        pages.append(PlacedPage(centre - 0.5 * w * x_axis - 0.5 * h * y_axis, x_axis, y_axis))
    return pages
