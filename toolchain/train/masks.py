"""SpecAugment-style masking of (time x band) features while training: each clip, each epoch, loses one run
of up to MAX_FRAMES frames and one of up to MAX_BANDS bands, filled with its mean feature, so the network
cannot lean on one moment or one band of a voice. Drawn from TensorFlow's seeded generator (the same seed
trains the same model)."""

MAX_FRAMES = 8  # of 49: 160 ms at a 20 ms hop
MAX_BANDS = 6  # of 40 mel bands


def masked_batches(x, y, batch_size: int, seed: int):
    """A tf.data pipeline of shuffled, masked batches of (x, y); x is (clips, frames, bands)."""
    from toolchain.train.tf import tf

    frames, bands = x.shape[1], x.shape[2]

    def mask(f, label):
        t = tf.random.uniform([], 0, min(MAX_FRAMES, frames - 1) + 1, dtype=tf.int32)
        t0 = tf.random.uniform([], 0, frames - t + 1, dtype=tf.int32)
        b = tf.random.uniform([], 0, min(MAX_BANDS, bands - 1) + 1, dtype=tf.int32)
        b0 = tf.random.uniform([], 0, bands - b + 1, dtype=tf.int32)
        rows = (tf.range(frames) >= t0) & (tf.range(frames) < t0 + t)
        cols = (tf.range(bands) >= b0) & (tf.range(bands) < b0 + b)
        return tf.where(rows[:, None] | cols[None, :], tf.reduce_mean(f), f), label

    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.map(mask).batch(batch_size)
