//go:build !purego

#include "textflag.h"

// func newlinesAVX2(p *byte, n int, base uint32, out *uint32) int
// Requires n > 0, a multiple of 64, and room for n entries at out.
TEXT ·newlinesAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVL base+16(FP), DX
	MOVQ out+24(FP), DI
	MOVQ DI, R8
	MOVL $0x0a, AX
	MOVD AX, X0
	VPBROADCASTB X0, Y0
	XORQ R9, R9

block:
	VPCMPEQB (SI)(R9*1), Y0, Y1
	VPCMPEQB 32(SI)(R9*1), Y0, Y2
	VPMOVMSKB Y1, AX
	VPMOVMSKB Y2, BX
	SHLQ $32, BX
	ORQ BX, AX
	JZ next
	LEAL (DX)(R9*1), R10

bit:
	TZCNTQ AX, BX
	ADDL R10, BX
	MOVL BX, (DI)
	ADDQ $4, DI
	BLSRQ AX, AX
	JNZ bit

next:
	ADDQ $64, R9
	CMPQ R9, CX
	JB block

	VZEROUPPER
	SUBQ R8, DI
	SHRQ $2, DI
	MOVQ DI, ret+32(FP)
	RET
