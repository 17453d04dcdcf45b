// SPDX-License-Identifier: Apache-2.0
// The AOT-compiled network (model.c, shipped as tm_net.inc so it is not
// compiled on its own) under the names of tm_audio_net.h. Its profile layers
// come after the front-end's layer 0.
#include "tm_audio_net.h"
#include "tm_model.h"  // before the renames: its own prototypes keep their names

#define tm_model_info tm_audio_net_info
#define tm_model_init tm_audio_net_init
#define tm_model_invoke tm_audio_net_invoke
#define tm_profile_layer_done(i) tm_profile_layer_done((i) + 1)
#include "tm_net.inc"
