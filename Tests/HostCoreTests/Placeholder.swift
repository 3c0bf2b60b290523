import Testing

@Test func placeholderHostCoreTests() { #expect(1 + 1 == 2) }
