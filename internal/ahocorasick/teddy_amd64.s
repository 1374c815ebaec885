#include "textflag.h"

// func teddySSSE3(t *teddyMasks, grams *[1 << gramHashBits]uint8, text []byte, i int) (int, bool)
TEXT ·teddySSSE3(SB), NOSPLIT, $0-57
	MOVQ t+0(FP), AX
	MOVQ grams+8(FP), DI
	MOVQ text_base+16(FP), SI
	MOVQ text_len+24(FP), DX
	MOVQ i+40(FP), CX
	MOVOU 0(AX), X8    // lo0
	MOVOU 16(AX), X9   // hi0
	MOVOU 32(AX), X10  // lo1
	MOVOU 48(AX), X11  // hi1
	MOVOU 64(AX), X12  // lo2
	MOVOU 80(AX), X13  // hi2
	MOVOU 96(AX), X14  // 0x0f
	PXOR X15, X15
	SUBQ $18, DX       // a block at CX reads CX .. CX+17
	JLT  none
	CMPQ CX, DX
	JGT  none

loop:
	MOVOU 0(SI)(CX*1), X0
	MOVOU 1(SI)(CX*1), X1
	MOVOU 2(SI)(CX*1), X2

	MOVO  X0, X3
	PSRLW $4, X3
	PAND  X14, X0
	PAND  X14, X3
	MOVO  X8, X4
	PSHUFB X0, X4
	MOVO  X9, X5
	PSHUFB X3, X5
	PAND  X5, X4

	MOVO  X1, X3
	PSRLW $4, X3
	PAND  X14, X1
	PAND  X14, X3
	MOVO  X10, X6
	PSHUFB X1, X6
	MOVO  X11, X5
	PSHUFB X3, X5
	PAND  X5, X6
	PAND  X6, X4

	MOVO  X2, X3
	PSRLW $4, X3
	PAND  X14, X2
	PAND  X14, X3
	MOVO  X12, X6
	PSHUFB X2, X6
	MOVO  X13, X5
	PSHUFB X3, X5
	PAND  X5, X6
	PAND  X6, X4

	PCMPEQB  X15, X4
	PMOVMSKB X4, R8
	XORL     $0xffff, R8
	JNZ      candidates
next:
	ADDQ     $16, CX
	CMPQ     CX, DX
	JLE      loop

none:
	MOVQ CX, ret+48(FP)
	MOVB $0, ret1+56(FP)
	RET

	// Each candidate's three bytes go through the gram filter's hash (gramHash of the bytes
	// folded with 0x20): only a position both tests pass is returned.
candidates:
	BSFL    R8, R9
	LEAQ    (CX)(R9*1), R10   // position
	MOVWLZX 0(SI)(R10*1), R11
	MOVBLZX 2(SI)(R10*1), R12
	SHLL    $16, R12
	ORL     R12, R11
	ORL     $0x202020, R11
	IMULL   $0x3779B100, R11
	SHRL    $18, R11
	MOVBLZX 0(DI)(R11*1), R12
	TESTL   R12, R12
	JNZ     found
	LEAL    -1(R8), R9
	ANDL    R9, R8
	JNZ     candidates
	JMP     next

found:
	MOVQ R10, ret+48(FP)
	MOVB $1, ret1+56(FP)
	RET
