//go:build !purego

#include "textflag.h"

// func spaceMaskSSE2(b []byte, from int, m *[8]uint64)
// Requires len(b) >= 16 and 0 <= from <= len(b). Each block of sixteen bytes gives sixteen bits
// (PCMPEQB against spaces, PMOVMSKB); a last partial block is read as the sixteen bytes that end
// b, which len(b) >= 16 allows, and the bits of the bytes before it are shifted out.
TEXT ·spaceMaskSSE2(SB), NOSPLIT, $0-40
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), DX
	MOVQ from+24(FP), BX
	MOVQ m+32(FP), DI
	PXOR X2, X2
	MOVOU X2, 0(DI)
	MOVOU X2, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X2, 48(DI)
	// n = min(len(b)-from, 512) in DX; SI = &b[from]
	SUBQ BX, DX
	ADDQ BX, SI
	CMPQ DX, $512
	JLE  counted
	MOVQ $512, DX
counted:
	MOVQ $0x2020202020202020, AX
	MOVQ AX, X0
	PUNPCKLQDQ X0, X0
	XORQ CX, CX // bytes done
	LEAQ -16(DX), R8 // last offset a whole block may start at
	CMPQ R8, $0
	JL   tail
block:
	MOVOU (SI)(CX*1), X1
	PCMPEQB X0, X1
	PMOVMSKB X1, AX
	MOVQ CX, R9
	SHRQ $3, R9
	MOVW AX, (DI)(R9*1)
	ADDQ $16, CX
	CMPQ CX, R8
	JLE  block
tail:
	CMPQ CX, DX
	JGE  done
	// The sixteen bytes that end the window end b: a window shorter than 512 bytes reaches
	// the end of b, and one of 512 has no partial block.
	MOVOU -16(SI)(DX*1), X1
	PCMPEQB X0, X1
	PMOVMSKB X1, AX
	// shift out the bits of the 16-(n-done) bytes before the part not done
	MOVQ CX, R9
	SHRQ $3, R9
	MOVQ DX, BX
	SUBQ CX, BX
	MOVQ $16, CX
	SUBQ BX, CX
	SHRL CX, AX
	MOVW AX, (DI)(R9*1)
done:
	RET

// func spaceMaskAVX2(b []byte, from int, m *[8]uint64)
// spaceMaskSSE2 with blocks of 32 bytes; requires len(b) >= 32 and 0 <= from <= len(b).
TEXT ·spaceMaskAVX2(SB), NOSPLIT, $0-40
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), DX
	MOVQ from+24(FP), BX
	MOVQ m+32(FP), DI
	VPXOR   Y2, Y2, Y2
	VMOVDQU Y2, 0(DI)
	VMOVDQU Y2, 32(DI)
	// n = min(len(b)-from, 512) in DX; SI = &b[from]
	SUBQ BX, DX
	ADDQ BX, SI
	CMPQ DX, $512
	JLE  counted32
	MOVQ $512, DX
counted32:
	MOVQ $0x2020202020202020, AX
	MOVQ AX, X0
	VPBROADCASTB X0, Y0
	XORQ CX, CX      // bytes done
	LEAQ -32(DX), R8 // last offset a whole block may start at
	CMPQ R8, $0
	JL   tail32
block32:
	VMOVDQU   (SI)(CX*1), Y1
	VPCMPEQB  Y0, Y1, Y1
	VPMOVMSKB Y1, AX
	MOVQ      CX, R9
	SHRQ      $3, R9
	MOVL      AX, (DI)(R9*1)
	ADDQ      $32, CX
	CMPQ      CX, R8
	JLE       block32
tail32:
	CMPQ CX, DX
	JGE  done32
	// The 32 bytes that end the window end b (see spaceMaskSSE2); the bits of the bytes before
	// the part not done are shifted out (32-(n-done) of them, 1 to 31).
	VMOVDQU   -32(SI)(DX*1), Y1
	VPCMPEQB  Y0, Y1, Y1
	VPMOVMSKB Y1, AX
	MOVQ      CX, R9
	SHRQ      $3, R9
	MOVQ      DX, BX
	SUBQ      CX, BX
	MOVQ      $32, CX
	SUBQ      BX, CX
	SHRL      CX, AX
	MOVL      AX, (DI)(R9*1)
done32:
	VZEROUPPER
	RET
