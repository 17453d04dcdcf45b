// SPDX-License-Identifier: Apache-2.0
// Runs the snippets of snippets.S once under QEMU.
void tm_snippets_run(void);

int main(void) {
  tm_snippets_run();
  return 0;
}
