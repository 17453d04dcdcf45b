// SPDX-License-Identifier: Apache-2.0
// Fixed-point audio front-end: int16 PCM -> int8 log-mel features.
// One frame = Hann window, real FFT (half-size complex FFT + split), power
// spectrum, triangular mel filterbank, log2 mapped to int8. Integer-only, no
// allocation: the same source compiles for the device and, as a shared
// library, for the host that makes the training features, so both agree
// bit for bit. Sizes and tables come from the generated tm_frontend_config.h
// (toolchain.audio.frontend writes it from the recipe).
#ifndef FIRMWARE_FRONTEND_TM_FRONTEND_H_
#define FIRMWARE_FRONTEND_TM_FRONTEND_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Frames of a clip of `samples` samples: 1 + (samples - window) / hop, 0 if shorter than a window.
size_t tm_frontend_frame_count(size_t samples);

// Features of one window (TM_FRONTEND_WINDOW samples) into TM_FRONTEND_BANDS int8 values.
void tm_frontend_frame(const int16_t *window, int8_t *features);

// Features of a whole clip, frame after frame (frame_count * TM_FRONTEND_BANDS values); returns the frame count.
size_t tm_frontend_clip(const int16_t *pcm, size_t samples, int8_t *features);

// Configuration as compiled in, so the host can check the library matches: {window, hop, fft, bands}.
void tm_frontend_shape(int32_t *shape4);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_FRONTEND_TM_FRONTEND_H_
