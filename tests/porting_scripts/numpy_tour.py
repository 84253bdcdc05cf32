"""A NumPy script of the kind NumPy's quickstart and user guide walk through.

tests/test_porting_scripts.py runs it as written and with ``import numpy as np`` changed to
``import hpa as np``, and compares what the two print.
"""

import numpy as np

a = np.arange(15).reshape(3, 5)
print(a.shape, a.ndim, a.dtype.name, a.itemsize, a.size)
b = np.array([6, 7, 8])
print(b, type(b.dtype.itemsize).__name__)
c = np.array([[1.5, 2, 3], [4, 5, 6]])
print(c)
print(np.zeros((3, 4)))
print(np.ones((2, 3, 4), dtype=np.int16).sum())
print(np.arange(10, 30, 5), np.linspace(0, 2, 9))

x = np.linspace(0, 2 * np.pi, 100)
f = np.sin(x)
print(f"{f.max():.4f} {f.min():.4f} {np.abs(f).mean():.4f}")

a = np.array([20, 30, 40, 50])
b = np.arange(4)
print(a - b, b**2, 10 * np.sin(a), a < 35)

A = np.array([[1, 1], [0, 1]])
B = np.array([[2, 0], [3, 4]])
print(A * B)
print(A @ B)
print(A.dot(B))

rg = np.random.default_rng(1)
r = rg.random((2, 3))
print(r.shape, r.dtype, bool((r >= 0).all() and (r < 1).all()))

b = np.arange(12).reshape(3, 4)
print(b.sum(axis=0), b.min(axis=1), b.cumsum(axis=1))
print(np.exp(np.arange(3)), np.sqrt(np.arange(3)))

a = np.arange(10) ** 3
print(a[2], a[2:5], a[:6:2], a[::-1])
a[:6:2] = 1000
print(a)

b = 10 * np.arange(5).reshape(5, 1) + np.arange(4)
print(b[2, 3], b[0:5, 1], b[:, 1], b[1:3, :], b[-1])

a = np.floor(10 * np.arange(12).reshape(3, 4) / 7)
print(a.ravel(), a.reshape(6, 2), a.T, a.T.shape)
print(np.vstack((a, a)).shape, np.hstack((a, a)).shape, np.column_stack((a[0], a[1])).shape)
print([s.shape for s in np.hsplit(np.arange(24).reshape(2, 12), 3)])

data = np.array([3.2, 1.5, 4.8, 1.5, 9.9, 0.1])
print(np.sort(data), np.argsort(data), np.unique(data))
print(np.mean(data), np.median(data), np.std(data), np.var(data, ddof=1))
print(f"{np.percentile(data, 75):.3f}", np.round(np.quantile(data, [0.1, 0.9]), 3))
print(np.cumsum(data), np.diff(data), np.argmax(data), np.argmin(data))
print(np.where(data > 2, data, 0.0), np.clip(data, 1, 5), np.count_nonzero(data > 2))
print(round(float(np.sum(data)), 3), round(np.mean(data), 2), f"{np.max(data):g}")
print(np.float64(1.5) * 2, np.int32(7) // 2, np.issubdtype(data.dtype, np.floating))
print(np.allclose(data, data + 1e-12), np.isclose(data, 1.5))

m = np.array([[4.0, 1.0], [2.0, 3.0]])
print(np.round(np.linalg.inv(m), 6), np.round(np.linalg.det(m), 6))
print(np.round(np.linalg.solve(m, np.array([1.0, 2.0])), 6))
print(np.round(np.linalg.norm(m), 6), np.trace(m), np.round(np.linalg.eigvalsh(m @ m.T), 6))

counts, edges = np.histogram(data, bins=3)
print(counts, np.round(edges, 3))
print(np.concatenate([data, data]).shape, np.stack([data, data]).shape, np.tile(b[0], 2))
print(np.eye(3), np.identity(2, dtype=np.float32).dtype)
print(np.isnan(np.array([1.0, np.nan])).any(), np.nanmean(np.array([1.0, np.nan, 3.0])))
print(np.einsum("ij,ij->i", m, m), np.outer(np.arange(3), np.arange(2)))
print(np.meshgrid(np.arange(2), np.arange(3))[0].shape, np.flip(np.arange(4)))
print(np.logical_and(data > 1, data < 5), np.any(data > 9), np.all(data > 0))
print(np.fft.fft(np.array([1.0, 0.0, -1.0, 0.0])))
