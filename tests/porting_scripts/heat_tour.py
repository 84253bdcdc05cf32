"""A HeAT script of the kind HeAT's tutorials walk through (distribution, operations, an
estimator, I/O), written to print the same at every process count.

tests/test_porting_scripts.py runs it with ``import heat as ht`` changed to ``import hpa as
ht`` and compares its output with heat_tour.expected, which HeAT 1.8 printed at one process.
"""

import numpy as np

import heat as ht

rank, size = ht.MPI_WORLD.rank, ht.MPI_WORLD.size

x = ht.arange(10, split=0)
print(x.shape, x.split, x.gshape, sum(x.lshape_map[:, 0].tolist()) == 10)
print(x.is_distributed() == (size > 1), x.is_balanced())
y = ht.zeros((4, 5), dtype=ht.float64, split=1)
print(y.shape, y.split, y.dtype == ht.float64)
y.resplit_(0)
print(y.split, ht.resplit(y, None).split)

a = ht.array(np.arange(12, dtype=np.float64).reshape(4, 3), split=0)
print(ht.sum(a).item(), ht.sum(a, axis=0).numpy().tolist(), a.mean(axis=1).numpy().tolist())
print(ht.max(a).item(), ht.argmax(a, axis=0).numpy().tolist(), ht.min(a, axis=1).numpy().tolist())
print(f"{ht.std(a):.4f} {ht.var(a, axis=0).numpy().round(4).tolist()}")
print((a * 2 + 1).numpy().tolist())
print(ht.exp(a / 10).numpy().round(4).tolist()[0], a.sqrt().numpy().round(4).tolist()[1])
b = ht.array(np.ones((3, 2), dtype=np.float64), split=None)
print(ht.matmul(a, b).numpy().tolist(), (a @ b).shape)
print(a.T.shape, a.T.split, ht.transpose(a).numpy()[0].tolist())

c = a[1:3]
print(c.shape, c.numpy().tolist())
c.balance_()
print(c.is_balanced(), c.numpy().tolist())
print(ht.concatenate([a, a], axis=0).shape, ht.vstack([a, a]).split)
print(a.copy().add_(1).numpy()[0].tolist(), ht.where(a > 5, a, 0).numpy()[1].tolist())

print(ht.unique(ht.array([3, 1, 1, 2], split=0), sorted=True).numpy().tolist())

ht.random.seed(1)
r = ht.random.rand(100, 2, split=0)
print(r.shape, r.split, bool(((r >= 0) & (r < 1)).all()))

data = np.concatenate([np.zeros((20, 2)), np.full((20, 2), 10.0)]) + np.tile([[0.1], [-0.1]], (20, 2))
X = ht.array(data, split=0)
km = ht.cluster.KMeans(n_clusters=2, init="kmeans++", random_state=0)
km.fit(X)
centres = sorted(km.cluster_centers_.numpy().round(3).tolist())
print(centres, km.predict(X).shape[0])

print(ht.linalg.norm(a).item() > 0, round(float(ht.linalg.det(ht.array([[2.0, 1.0], [1.0, 3.0]]))), 4))
