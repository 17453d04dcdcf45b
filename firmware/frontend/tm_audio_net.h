// SPDX-License-Identifier: Apache-2.0
// The network behind the audio wrapper (tm_audio_model.c): tm_model.h's entry
// points under other names, so the wrapper can be the tm_model.h the harness
// links. AOT code gets them from tm_audio_net_aot.c, the TFLM wrapper is
// generated with them.
#ifndef FIRMWARE_FRONTEND_TM_AUDIO_NET_H_
#define FIRMWARE_FRONTEND_TM_AUDIO_NET_H_

#include "tm_model.h"

#ifdef __cplusplus
extern "C" {
#endif

const tm_model_info_t *tm_audio_net_info(void);
int tm_audio_net_init(void);
int tm_audio_net_invoke(const void *input, void *output);

#ifdef __cplusplus
}
#endif

#endif  // FIRMWARE_FRONTEND_TM_AUDIO_NET_H_
