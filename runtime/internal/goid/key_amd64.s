#include "textflag.h"

// func key() uintptr
TEXT ·key(SB), NOSPLIT, $0-8
	MOVQ (TLS), AX
	MOVQ AX, ret+0(FP)
	RET

// func descriptor() unsafe.Pointer
TEXT ·descriptor(SB), NOSPLIT, $0-8
	MOVQ (TLS), AX
	MOVQ AX, ret+0(FP)
	RET
