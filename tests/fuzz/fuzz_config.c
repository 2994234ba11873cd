/* fuzz_config.c - libFuzzer target for the experiment loader and --set
 * (the input's form is in fuzz_config.h).  'make fuzz' builds it with
 * clang, ASan and UBSan into build-fuzz and runs it on tests/fuzz/corpus. */
#include "fuzz_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	smab_fuzz_config(data, size);
	return 0;
}
