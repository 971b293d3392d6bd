#include "textflag.h"

// func key() uintptr
TEXT ·key(SB), NOSPLIT, $0-8
	MOVD g, R0
	MOVD R0, ret+0(FP)
	RET

// func descriptor() unsafe.Pointer
TEXT ·descriptor(SB), NOSPLIT, $0-8
	MOVD g, R0
	MOVD R0, ret+0(FP)
	RET
