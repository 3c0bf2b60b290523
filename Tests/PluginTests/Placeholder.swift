import Testing

@Test func placeholderPluginTests() { #expect(1 + 1 == 2) }
